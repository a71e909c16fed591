/** The API process: config, runtime, listen, graceful shutdown. With RUN_WORKER (the development default) it also runs the job worker. */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createApp } from './app';
import { seedDemoCatalog } from './dev/demo-catalog';
import { loadConfigOrExit, onShutdownSignal, openRuntimeOrExit } from './process';
import { startJobWorker, startRuntime } from './runtime';

const { config, logger } = loadConfigOrExit();
const runtime = await openRuntimeOrExit(config, logger);
await startRuntime(runtime);
// A fresh development database (the embedded default) starts with something to browse; elsewhere only on request.
// Production requires DATABASE_URL, so it seeds only with an explicit SEED_DEMO_CATALOG=true.
if (config.SEED_DEMO_CATALOG ?? !config.DATABASE_URL) await seedDemoCatalog(runtime.deps);
const worker = config.runWorker ? await startJobWorker(runtime) : undefined;
const server = createServer(createApp(runtime.deps));
server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout

server.listen(config.PORT, config.HOST);
await once(server, 'listening');
const address = server.address();
const port = typeof address === 'object' && address ? address.port : config.PORT;
logger.info(
  { port, worker: Boolean(worker) },
  `Emporium API on http://localhost:${port} - docs at http://localhost:${port}/docs`,
);

onShutdownSignal(logger, async () => {
  // 1. Readiness answers 503 and every response asks its client to close the connection, while the listener keeps
  //    serving for the drain delay: a load balancer sees the replica leave before its connections are refused.
  runtime.deps.lifecycle.shuttingDown = true;
  if (config.shutdownDrainDelayMs > 0) {
    logger.info({ drainDelayMs: config.shutdownDrainDelayMs }, 'draining: readiness is 503, still serving');
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainDelayMs));
  }
  // 2. Stop accepting; close keep-alive connections as soon as they are idle (each request in flight is answered
  //    first, with Connection: close); cut whatever is still open after the timeout.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const drain = setInterval(() => server.closeIdleConnections(), 100);
  const timeout = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
  await closed;
  clearInterval(drain);
  clearTimeout(timeout);
  await worker?.stop();
  await runtime.close();
  logger.info('shutdown complete');
});
