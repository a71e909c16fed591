/** The job worker as its own process (production runs it apart from the API). */
import { loadConfigOrExit, onShutdownSignal, openRuntimeOrExit } from './process';
import { startJobWorker } from './runtime';

const { config, logger } = loadConfigOrExit();
const runtime = await openRuntimeOrExit(config, logger);
const worker = await startJobWorker(runtime);
logger.info('job worker running');

onShutdownSignal(logger, async () => {
  await worker.stop();
  await runtime.close();
});
