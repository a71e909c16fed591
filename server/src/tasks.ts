/** The task registry: every module's job tasks, run by the worker. */
import type { Deps } from './deps';
import type { TaskDefinition } from './platform/jobs';

export const tasks: readonly TaskDefinition<never, Deps>[] = [];
