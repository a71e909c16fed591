/** The task registry: every module's job tasks, run by the worker. */
import type { Deps } from './deps';
import { identityTasks } from './modules/identity';
import type { RegisteredTask } from './platform/jobs';

export const tasks: readonly RegisteredTask<Deps>[] = [...identityTasks];
