/** Process-level helpers shared by main.ts, worker.ts and migrate.ts. */
import { ConfigError, loadConfig, type Config } from './config';
import { EmbeddedPostgresError } from './platform/embedded-postgres';
import { createLogger, type Logger } from './platform/logger';
import { openRuntime, type Runtime } from './runtime';

export function loadConfigOrExit(): { config: Readonly<Config>; logger: Logger } {
  try {
    const config = loadConfig();
    return { config, logger: createLogger(config) };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * Opens the runtime, or exits 1 with the reason when the embedded PostgreSQL cannot start (its port taken, say): the
 * message says what to do, and a stack would only hide it.
 */
export async function openRuntimeOrExit(config: Readonly<Config>, logger: Logger): Promise<Runtime> {
  try {
    return await openRuntime(config, logger);
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * A signal this soon after the first is the same Ctrl-C again, not a second request: the terminal signals the whole
 * process group, and npm (or tsx, pnpm) forwards it to its child once more.
 */
const REPEATED_SIGNAL_MS = 1000;

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 when stopping failed); a second signal, later than
 * the echo of the first, exits at once.
 */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.debug({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
