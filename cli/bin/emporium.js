#!/usr/bin/env node
// The CLI runs from its TypeScript source, as does @emporium/sdk which it imports; tsx compiles both on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
