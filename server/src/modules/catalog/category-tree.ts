/** The category tree's pure walks: the tree is small, read whole and walked in memory (no SQL here). */

export interface TreeNode {
  id: string;
  parentId?: string | null;
  position: number;
  name: string;
}

/** Pre-order: each parent directly before its subtree, siblings by position then name; `entry` builds each item. */
export function preOrder<Node extends TreeNode, Entry>(
  nodes: readonly Node[],
  entry: (node: Node, depth: number) => Entry,
): Entry[] {
  const children = new Map<string | null, Node[]>();
  for (const node of nodes) {
    const siblings = children.get(node.parentId ?? null) ?? [];
    siblings.push(node);
    children.set(node.parentId ?? null, siblings);
  }
  const ordered: Entry[] = [];
  const visit = (parentId: string | null, depth: number) => {
    const siblings = (children.get(parentId) ?? []).sort(
      (a, b) => a.position - b.position || a.name.localeCompare(b.name),
    );
    for (const node of siblings) {
      ordered.push(entry(node, depth));
      visit(node.id, depth + 1);
    }
  };
  visit(null, 0);
  return ordered;
}

/** The category and all its descendants' ids, from a pre-order list; undefined when there is no such category. */
export function subtreeIds(tree: readonly { id: string; depth: number }[], categoryId: string): string[] | undefined {
  const start = tree.findIndex((category) => category.id === categoryId);
  const root = tree[start];
  if (!root) return undefined;
  const ids = [root.id];
  // In pre-order a subtree is the run of deeper entries right after its root.
  for (const category of tree.slice(start + 1)) {
    if (category.depth <= root.depth) break;
    ids.push(category.id);
  }
  return ids;
}
