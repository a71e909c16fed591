/** Every entity of every module, for MikroORM's discovery. */
import { catalogEntities } from './catalog';
import { identityEntities } from './identity';

export const entities = [...identityEntities, ...catalogEntities];
