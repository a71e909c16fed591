/** What the end-to-end tests may use of the server. */
export { createApp } from './app';
export { loadConfig, type Config } from './config';
export type { Deps } from './deps';
export { bootstrapAdmin, openRuntime, startJobWorker, type Runtime } from './runtime';
export { createLogger } from './platform/logger';
export { enqueueJob, defineTask, startWorker, type RegisteredTask, type TaskDefinition } from './platform/jobs';
export { tasks } from './tasks';
