/** Passwords (argon2id) and opaque tokens (random, stored as SHA-256). */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

// OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

// Verified against when the account does not exist, so a missing email costs the same time as a wrong password.
const dummyHash = hashPassword(randomBytes(16).toString('hex'));

/** Constant work whether or not there is a hash: a missing account is not faster than a wrong password. */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  try {
    const ok = await argon2.verify(hash ?? (await dummyHash), password);
    return ok && Boolean(hash);
  } catch {
    return false;
  }
}

/** A url-safe random token with 256 bits of entropy. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
