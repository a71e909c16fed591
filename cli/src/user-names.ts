/**
 * Names for the user ids other answers carry (a product's vendorId): one getUser per distinct id, a few at a time,
 * remembered for the rest of the command, so a table of a hundred products by three vendors costs three lookups.
 * The API has no batch lookup by ids; `listUsers` filters by text, role and status only.
 */
import { getUser } from '@emporium/sdk';
import { ApiError } from './errors';
import type { Session } from './session';
import type { User } from './views';

/** Enough to overlap round trips without a burst the rate limiter would notice. */
const CONCURRENT_LOOKUPS = 4;

export interface UserDirectory {
  /** Looks up every id not seen before; answers the users found (an id nobody has is simply absent). */
  load(ids: Iterable<string>): Promise<ReadonlyMap<string, User>>;
}

export function createUserDirectory(session: Session): UserDirectory {
  const known = new Map<string, User | undefined>();

  async function lookUp(id: string): Promise<void> {
    try {
      known.set(id, await session.call((client) => getUser({ client, path: { id } })));
    } catch (error) {
      // A vendor account removed since: show its id rather than fail the whole table.
      if (error instanceof ApiError && error.status === 404) known.set(id, undefined);
      else throw error;
    }
  }

  return {
    async load(ids) {
      const wanted = [...new Set(ids)];
      const queue = wanted.filter((id) => !known.has(id));
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await lookUp(id);
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENT_LOOKUPS, queue.length) }, worker));
      const found = new Map<string, User>();
      for (const id of wanted) {
        const user = known.get(id);
        if (user) found.set(id, user);
      }
      return found;
    },
  };
}
