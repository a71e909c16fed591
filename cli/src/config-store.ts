/**
 * Profiles and their tokens in `${XDG_CONFIG_HOME:-~/.config}/emporium/config.json`. The file holds live
 * credentials, so the directory is 0700, the file 0600, and it is replaced atomically (temp file + rename) so a
 * crash or a concurrent reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { CliError, ExitCode } from './errors';

export interface Profile {
  url?: string;
  email?: string;
  accessToken?: string;
  refreshToken?: string;
  /** ISO 8601 time at which the access token stops working. */
  expiresAt?: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
}

/** A Map rather than an object, so that a profile named `__proto__` is just a name. */
export type Profiles = Map<string, Profile>;

const PROFILE_FIELDS = ['url', 'email', 'accessToken', 'refreshToken', 'expiresAt'] as const;

export function configPath(): string {
  // The XDG spec says a relative value is invalid and must be ignored.
  const xdg = process.env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return join(base, 'emporium', 'config.json');
}

export async function readProfiles(): Promise<Profiles> {
  const path = configPath();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON; fix or delete it`, ExitCode.failure);
  }
  const profiles: Profiles = new Map();
  const stored = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof stored !== 'object' || stored === null) return profiles;
  for (const [name, value] of Object.entries(stored)) {
    if (typeof value !== 'object' || value === null) continue;
    const profile: Profile = {};
    for (const field of PROFILE_FIELDS) {
      const fieldValue: unknown = (value as Record<string, unknown>)[field];
      if (typeof fieldValue === 'string') profile[field] = fieldValue;
    }
    profiles.set(name, profile);
  }
  return profiles;
}

export async function writeProfiles(profiles: Profiles): Promise<void> {
  const path = configPath();
  const directory = dirname(path);
  await mkdir(dirname(directory), { recursive: true });
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone; tighten it in case it was created by hand.
  await chmod(directory, 0o700);

  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const body = `${JSON.stringify({ profiles: Object.fromEntries(profiles) }, null, 2)}\n`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(body, 'utf8');
    await file.sync();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export async function readProfile(name: string): Promise<Profile | undefined> {
  return (await readProfiles()).get(name);
}

/** Read-modify-write of one profile; `change` answering undefined deletes it. */
export async function updateProfile(
  name: string,
  change: (current: Profile | undefined) => Profile | undefined,
): Promise<void> {
  const profiles = await readProfiles();
  const next = change(profiles.get(name));
  if (next === undefined) profiles.delete(name);
  else profiles.set(name, next);
  await writeProfiles(profiles);
}

export function tokensOf(profile: Profile | undefined): Tokens | undefined {
  if (!profile?.accessToken || !profile.refreshToken) return undefined;
  return {
    accessToken: profile.accessToken,
    refreshToken: profile.refreshToken,
    expiresAt: profile.expiresAt ?? new Date(0).toISOString(),
  };
}
