import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import type { Deps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { checkReadiness } from './health.service';

const s = initServer();

export function createHealthRouter(deps: Deps) {
  return s.router(contract.health, {
    getLiveness: async () => ({ status: 200, body: { status: 'ok' } }),
    getReadiness: async () => {
      const { ready, degraded, checks } = await checkReadiness(deps);
      const keyValueStore = deps.store.kind;
      if (ready) return { status: 200, body: { status: degraded ? 'degraded' : 'ok', checks, keyValueStore } };
      const down = Object.entries(checks)
        .filter(([, status]) => status === 'down')
        .map(([name]) => name);
      const detail = deps.lifecycle.shuttingDown ? 'The server is shutting down.' : `Down: ${down.join(', ')}.`;
      throw new AppError(503, 'not_ready', 'Service unavailable', { detail, extensions: { checks, keyValueStore } });
    },
  });
}
