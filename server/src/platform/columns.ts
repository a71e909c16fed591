/** Column builders every entity shares: v7 UUID keys (index locality) and UTC timestamps set by the unit of work. */
import { p } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';

/** A new v7 id, for rows whose id the service needs before the flush (children written in the same unit). */
export const newId = (): string => uuidv7();

export const idColumn = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => newId());
export const createdAtColumn = () => p.datetime().onCreate(() => new Date());
export const updatedAtColumn = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date());
