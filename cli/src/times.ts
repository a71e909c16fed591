/** Times given on the command line: any date or time Date.parse reads, sent as the API's ISO 8601 UTC timestamp. */
import { InvalidArgumentError } from 'commander';

export function parseTimestamp(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('Give a date or an ISO 8601 timestamp, e.g. 2027-01-31.');
  return new Date(time).toISOString();
}
