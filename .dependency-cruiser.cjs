/**
 * Module boundaries of the server, checked in CI (`npm run boundaries`). See the README, "Adding a module".
 * - platform/ is the foundation every module builds on: it never imports a module.
 * - A module is used by others only through its face (modules/<name>/index.ts).
 * - No import cycles.
 * - Scripts and tests use the server's public entry (server/src/index.ts), never its internals.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-module',
      severity: 'error',
      comment: 'platform/ never imports a module: the composition root passes modules what they need.',
      from: { path: '^server/src/platform/' },
      to: { path: '^server/src/modules/' },
    },
    {
      name: 'module-internals',
      severity: 'error',
      comment: "A module imports another module only through that module's index.ts (its one face).",
      from: { path: '^server/src/modules/([^/]+)/' },
      to: {
        path: '^server/src/modules/([^/]+)/.+',
        pathNot: ['^server/src/modules/$1/', '^server/src/modules/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'outside-uses-module-internals',
      severity: 'error',
      comment: 'Outside modules/, a module is reached through its index.ts (or modules/index.ts) only.',
      from: { path: '^server/src/', pathNot: '^server/src/modules/' },
      to: { path: '^server/src/modules/[^/]+/.+', pathNot: '^server/src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and modules inseparable.',
      from: { path: '^server/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'server-internals-from-outside',
      severity: 'error',
      comment: "Scripts, tests and other packages use the server's public entry (@emporium/server), never deep paths.",
      from: { path: '^(test|scripts|cli|sdk|contract)/' },
      to: { path: '^server/(src|migrations)/', pathNot: '^server/src/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^\\.tools/|^sdk/src/gen/|/dist/' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    tsConfig: { fileName: 'server/tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
