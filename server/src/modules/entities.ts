/** Every entity of every module, for MikroORM's discovery. A module adds its own here via its index.ts. */
export const entities = [];
