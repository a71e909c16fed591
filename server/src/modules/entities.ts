/** Every entity of every module, for MikroORM's discovery. */
import { identityEntities } from './identity';

export const entities = [...identityEntities];
