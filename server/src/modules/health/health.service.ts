import type { Deps } from '../../platform/deps';
import { pendingMigrations } from '../../platform/database';

export type CheckStatus = 'up' | 'down';
export interface ReadinessChecks {
  database: CheckStatus;
  redis: CheckStatus;
  migrations: CheckStatus;
  worker: CheckStatus;
}

const HEARTBEAT_FRESH_SECONDS = 30;
const up = (ok: boolean): CheckStatus => (ok ? 'up' : 'down');

async function databaseAndWorker(deps: Deps): Promise<Pick<ReadinessChecks, 'database' | 'worker'>> {
  try {
    const [row] = await deps.orm.em
      .fork()
      .execute<{ fresh: boolean }[]>(
        `select coalesce(max(beat_at) > now() - make_interval(secs => ?), false) as fresh from worker_heartbeat`,
        [HEARTBEAT_FRESH_SECONDS],
      );
    return { database: 'up', worker: up(row?.fresh === true) };
  } catch {
    return { database: 'down', worker: 'down' };
  }
}

/**
 * Databases on which every migration this build knows was found applied: they stay so for the life of the process
 * (migrations only ever go forward), so later probes skip the migrator's queries.
 */
const fullyMigrated = new WeakSet<Deps['orm']>();

async function migrationsApplied(deps: Deps): Promise<boolean> {
  if (fullyMigrated.has(deps.orm)) return true;
  try {
    const applied = (await pendingMigrations(deps.orm)).length === 0;
    if (applied) fullyMigrated.add(deps.orm);
    return applied;
  } catch {
    return false;
  }
}

/** The API serves without Redis (cache misses, in-process rate limits): its outage degrades, it does not unready. */
const REQUIRED: readonly (keyof ReadinessChecks)[] = ['database', 'migrations', 'worker'];

/**
 * Checks every dependency in parallel; each check answers `down` rather than throwing. Ready when every required
 * check is up and the process is not draining; degraded when a check that is not required is down.
 */
export async function checkReadiness(
  deps: Deps,
): Promise<{ ready: boolean; degraded: boolean; checks: ReadinessChecks }> {
  const [dbAndWorker, redis, migrations] = await Promise.all([
    databaseAndWorker(deps),
    deps.store.ping(),
    migrationsApplied(deps),
  ]);
  const checks: ReadinessChecks = { ...dbAndWorker, redis: up(redis), migrations: up(migrations) };
  const ready = !deps.lifecycle.shuttingDown && REQUIRED.every((name) => checks[name] === 'up');
  const degraded = Object.values(checks).some((status) => status === 'down');
  return { ready, degraded, checks };
}
