/**
 * Ids are UUIDs on the wire. A malformed one is the caller's typo, so it is refused here as a usage error (exit 2)
 * before any request, instead of coming back from the server as a validation_failed API error (exit 1).
 */
import { InvalidArgumentError } from 'commander';

/** The shape the contract's `Id` (zod's `uuid()`) accepts: any version, either case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: string): boolean {
  return UUID.test(value);
}

/** A commander argument/option parser for an id. */
export function parseId(value: string): string {
  if (!isId(value))
    throw new InvalidArgumentError('Not an id: ids are UUIDs such as 01968f0e-7d3a-7c1b-9e2f-3a4b5c6d7e8f.');
  return value;
}
