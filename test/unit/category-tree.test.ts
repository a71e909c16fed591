import { preOrder, subtreeIds } from '@emporium/server';
import { describe, expect, it } from 'vitest';

const node = (id: string, parentId: string | null, position: number, name = id) => ({ id, parentId, position, name });
const entry = (category: { id: string }, depth: number) => ({ id: category.id, depth });

// home > (kitchen > (mugs, pans), garden); toys, listed in an order unlike the tree's.
const categories = [
  node('pans', 'kitchen', 1),
  node('toys', null, 1),
  node('garden', 'home', 2),
  node('mugs', 'kitchen', 0),
  node('kitchen', 'home', 1),
  node('home', null, 0),
];

describe('preOrder', () => {
  it('puts each parent right before its subtree, with depths', () => {
    expect(preOrder(categories, entry)).toEqual([
      { id: 'home', depth: 0 },
      { id: 'kitchen', depth: 1 },
      { id: 'mugs', depth: 2 },
      { id: 'pans', depth: 2 },
      { id: 'garden', depth: 1 },
      { id: 'toys', depth: 0 },
    ]);
  });

  it('orders siblings by position, then by name', () => {
    const siblings = [node('b', null, 0, 'Beta'), node('c', null, -1, 'Zulu'), node('a', null, 0, 'Alpha')];
    expect(preOrder(siblings, entry).map((category) => category.id)).toEqual(['c', 'a', 'b']);
  });

  it('leaves out a category whose parent is not in the list (it is unreachable from the roots)', () => {
    expect(preOrder([node('root', null, 0), node('orphan', 'gone', 0)], entry)).toEqual([{ id: 'root', depth: 0 }]);
  });
});

describe('subtreeIds', () => {
  const tree = preOrder(categories, entry);

  it('is the category and every descendant, and stops at the next entry of its own depth', () => {
    expect(subtreeIds(tree, 'kitchen')).toEqual(['kitchen', 'mugs', 'pans']);
    expect(subtreeIds(tree, 'home')).toEqual(['home', 'kitchen', 'mugs', 'pans', 'garden']);
  });

  it('is the category alone for a leaf, even the last entry', () => {
    expect(subtreeIds(tree, 'mugs')).toEqual(['mugs']);
    expect(subtreeIds(tree, 'toys')).toEqual(['toys']);
  });

  it('is undefined for an unknown category', () => {
    expect(subtreeIds(tree, 'nope')).toBeUndefined();
  });
});
