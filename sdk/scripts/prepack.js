/* global process, console, URL */
// Runs before `pnpm pack` / `pnpm publish`: refuses npm, then builds a clean dist/.
// Why refuse npm: in the workspace `exports` points at src/index.ts (the tests and the CLI run the TypeScript source);
// pnpm swaps in `publishConfig` (dist/ entry points) when it packs, npm does not and would ship a package without them.
import { rmSync } from 'node:fs';

const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error(
    '@emporium/sdk: pack or publish it with pnpm (`pnpm pack`), which applies publishConfig; npm does not.',
  );
  process.exit(1);
}
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
