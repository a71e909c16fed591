/**
 * The global options (--profile, --url, --json) resolved once per command: which profile, which server.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { readProfile } from './config-store';

export const DEFAULT_URL = 'http://localhost:3000';

export interface GlobalOptions {
  profile: string;
  url?: string;
  json?: boolean;
}

export interface Context {
  profile: string;
  baseUrl: string;
  json: boolean;
}

export function parseProfileName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value)) {
    throw new InvalidArgumentError('Use letters, digits, ".", "_" and "-" (at most 64).');
  }
  return value;
}

/** Checked up front so that a typo is a usage error (exit 2), not an "unreachable server" (exit 4). */
export function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('Not a URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('Use an http or https URL.');
  return url.toString().replace(/\/+$/, '');
}

/** --url (or EMPORIUM_URL) wins over the URL the profile logged in to, which wins over the default. */
export async function resolveContext(command: Command): Promise<Context> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const profile = await readProfile(options.profile);
  return {
    profile: options.profile,
    baseUrl: options.url ?? profile?.url ?? DEFAULT_URL,
    json: options.json === true,
  };
}
