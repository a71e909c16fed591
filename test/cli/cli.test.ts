/**
 * The emporium CLI end to end: the real server in-process, the CLI as a child process exactly as an operator
 * runs it (see cli-runner.ts), with its config under a throwaway XDG_CONFIG_HOME.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { CLI_TIMEOUT, parseJson, runCli, type CliRun } from './cli-runner';

const ADMIN = { email: 'root@example.com', password: 'correct-horse-battery' };

interface StoredProfile {
  url?: string;
  email?: string;
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: string;
}

interface StoredConfig {
  profiles: Record<string, StoredProfile>;
}

interface UserJson {
  id: string;
  email: string;
  fullName: string;
  role: string;
  emailVerified: boolean;
  isActive: boolean;
}

describe('emporium CLI', () => {
  let server: TestServer;
  let configHome: string;
  const configFile = () => join(configHome, 'emporium', 'config.json');
  const storedProfile = async () =>
    (JSON.parse(await readFile(configFile(), 'utf8')) as StoredConfig).profiles.default ?? {};
  /** Rewrites the default profile the way a stale or tampered file would look; answers the profile as it was. */
  const editProfile = async (change: (profile: StoredProfile) => StoredProfile) => {
    const stored = JSON.parse(await readFile(configFile(), 'utf8')) as StoredConfig;
    const before = stored.profiles.default ?? {};
    stored.profiles.default = change(before);
    await writeFile(configFile(), JSON.stringify(stored), { mode: 0o600 });
    return before;
  };
  const cli = (args: string[], options: { input?: string; env?: Record<string, string>; home?: string } = {}) =>
    runCli(['--url', server.baseUrl, ...args], { configHome: options.home ?? configHome, ...options });

  beforeAll(async () => {
    // The worker too: readiness requires a fresh worker heartbeat.
    server = await startTestServer({
      worker: true,
      env: { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
    });
    configHome = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
  });

  afterAll(async () => {
    await server?.close();
    if (configHome) await rm(configHome, { recursive: true, force: true });
  });

  describe('health', () => {
    it(
      'exits 0 and prints every readiness check as JSON when the server is ready',
      async () => {
        const run = await cli(['health', '--json']);
        expect(run.code, run.stderr).toBe(0);
        expect(parseJson(run)).toEqual({
          status: 'ok',
          checks: { database: 'up', redis: 'up', migrations: 'up', worker: 'up' },
          keyValueStore: 'redis',
        });
      },
      CLI_TIMEOUT,
    );

    it(
      'names the key-value store the server says it uses (Redis here)',
      async () => {
        const run = await cli(['health']);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^CHECK\s+STATUS\s+NOTE$/m);
        expect(run.stdout).toMatch(/^key-value store\s+up\s+Redis$/m);
        expect(run.stdout).not.toMatch(/^redis\s/m);
      },
      CLI_TIMEOUT,
    );

    it(
      'says the server keeps its counters in memory when it runs without REDIS_URL',
      async () => {
        const memoryServer = await startTestServer({ worker: true, env: { REDIS_URL: '' } });
        try {
          expect(memoryServer.deps.store.kind).toBe('memory');
          const run = await runCli(['--url', memoryServer.baseUrl, 'health'], { configHome });
          expect(run.code, run.stderr).toBe(0);
          expect(run.stdout).toMatch(/^key-value store\s+up\s+the server's own memory \(no REDIS_URL\)/m);
          expect(run.stdout).not.toMatch(/^redis\s+up/m);
        } finally {
          await memoryServer.close();
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'says which store is in use when the readiness answer carries keyValueStore',
      async () => {
        const answers = [
          { kind: 'memory', note: /^key-value store\s+up\s+the server's own memory \(no REDIS_URL\)/m },
          { kind: 'redis', note: /^key-value store\s+up\s+Redis$/m },
        ];
        for (const { kind, note } of answers) {
          const checks = { database: 'up', redis: 'up', migrations: 'up', worker: 'up' };
          const fake = createServer((_request, response) => {
            response.setHeader('content-type', 'application/json');
            response.end(JSON.stringify({ status: 'ok', checks, keyValueStore: kind }));
          });
          await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
          try {
            const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
            const run = await runCli(['--url', url, 'health'], { configHome });
            expect(run.code, run.stderr).toBe(0);
            expect(run.stdout).toMatch(note);
          } finally {
            await new Promise<void>((resolve) => fake.close(() => resolve()));
          }
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'exits 4 when the server cannot be reached',
      async () => {
        const run = await runCli(['--url', 'http://127.0.0.1:9', 'health'], { configHome });
        expect(run.code).toBe(4);
        expect(run.stderr).toContain('cannot reach http://127.0.0.1:9');
      },
      CLI_TIMEOUT,
    );
  });

  describe('login', () => {
    it(
      'exits 1 with invalid_credentials on stderr when the password is wrong',
      async () => {
        const home = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
        try {
          const run = await cli(['login', '--email', ADMIN.email, '--password', 'not-the-password'], { home });
          expect(run.code).toBe(1);
          expect(run.stderr).toMatch(/^error: .*\(invalid_credentials, request [^)]+\)/m);
          expect(run.stdout).toBe('');
        } finally {
          await rm(home, { recursive: true, force: true });
        }
      },
      CLI_TIMEOUT,
    );
  });

  describe('without a stored login', () => {
    it(
      'whoami exits 3 and says to run emporium login',
      async () => {
        const home = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
        try {
          const run = await cli(['whoami'], { home });
          expect(run.code).toBe(3);
          expect(run.stderr).toContain('emporium login');
        } finally {
          await rm(home, { recursive: true, force: true });
        }
      },
      CLI_TIMEOUT,
    );
  });

  describe('logged in as the bootstrap admin', () => {
    let login: CliRun;

    beforeAll(async () => {
      // The password arrives on stdin, as in `pass show emporium | emporium login --email ...`.
      login = await cli(['login', '--email', ADMIN.email], { input: `${ADMIN.password}\n` });
    }, CLI_TIMEOUT);

    it('login stores the tokens in a config file only its owner can read', async () => {
      expect(login.code, login.stderr).toBe(0);
      expect(login.stdout).toContain(ADMIN.email);
      expect((await stat(configFile())).mode & 0o777).toBe(0o600);
      expect((await stat(join(configHome, 'emporium'))).mode & 0o777).toBe(0o700);
      const stored = JSON.parse(await readFile(configFile(), 'utf8')) as StoredConfig;
      expect(stored.profiles.default).toMatchObject({
        url: server.baseUrl,
        email: ADMIN.email,
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresAt: expect.any(String),
      });
    });

    it(
      'whoami --json prints the admin',
      async () => {
        const run = await cli(['whoami', '--json']);
        expect(run.code, run.stderr).toBe(0);
        expect(parseJson<UserJson>(run)).toMatchObject({ email: ADMIN.email, role: 'admin' });
      },
      CLI_TIMEOUT,
    );

    it(
      'users list --json includes the admin',
      async () => {
        const run = await cli(['users', 'list', '--json']);
        expect(run.code, run.stderr).toBe(0);
        const page = parseJson<{ data: UserJson[]; nextCursor: string | null }>(run);
        expect(page.data.map((user) => user.email)).toContain(ADMIN.email);
      },
      CLI_TIMEOUT,
    );

    it(
      'users list prints an aligned table for humans',
      async () => {
        const run = await cli(['users', 'list', '--role', 'admin', '--all']);
        expect(run.code, run.stderr).toBe(0);
        const [header, ...rows] = run.stdout.trimEnd().split('\n');
        expect(header).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLE\s+VERIFIED\s+ACTIVE\s+CREATED$/);
        expect(rows.some((row) => row.includes(ADMIN.email))).toBe(true);
        const roleColumn = header?.indexOf('ROLE') ?? -1;
        expect(rows.every((row) => row.slice(roleColumn).startsWith('admin '))).toBe(true);
      },
      CLI_TIMEOUT,
    );

    it(
      'admins create makes a verified admin that users show returns',
      async () => {
        const created = await cli(
          ['admins', 'create', '--email', 'second-admin@example.com', '--full-name', 'Second Admin', '--json'],
          { input: 'another-long-password\n' },
        );
        expect(created.code, created.stderr).toBe(0);
        const { id } = parseJson<UserJson>(created);

        const shown = await cli(['users', 'show', id, '--json']);
        expect(shown.code, shown.stderr).toBe(0);
        expect(parseJson<UserJson>(shown)).toMatchObject({
          id,
          email: 'second-admin@example.com',
          fullName: 'Second Admin',
          role: 'admin',
          emailVerified: true,
          isActive: true,
        });
      },
      CLI_TIMEOUT,
    );

    it(
      'api-keys create prints the secret once; list shows the key without it; revoke ends it',
      async () => {
        const created = await cli([
          'api-keys',
          'create',
          '--name',
          'ERP sync',
          '--scope',
          'catalog:read',
          '--scope',
          'admin:read',
          '--json',
        ]);
        expect(created.code, created.stderr).toBe(0);
        const key = parseJson<{ id: string; secret: string; scopes: string[] }>(created);
        expect(key.secret).toMatch(/^emp_live_/);
        expect(key.scopes).toEqual(['catalog:read', 'admin:read']);

        const listed = await cli(['api-keys', 'list']);
        expect(listed.code, listed.stderr).toBe(0);
        expect(listed.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+SCOPES\s+STATUS\s+EXPIRES\s+LAST USED$/m);
        expect(listed.stdout).toContain(key.id);
        expect(listed.stdout).not.toContain(key.secret);

        const revoked = await cli(['api-keys', 'revoke', key.id, '--json']);
        expect(revoked.code, revoked.stderr).toBe(0);
        expect(parseJson<{ revokedAt: string | null }>(revoked).revokedAt).not.toBeNull();

        const unknownScope = await cli(['api-keys', 'create', '--name', 'x', '--scope', 'everything']);
        expect(unknownScope.code).toBe(2);
      },
      CLI_TIMEOUT,
    );

    it(
      'users update --role vendor changes the role',
      async () => {
        const created = await cli([
          'admins',
          'create',
          '--email',
          'soon-vendor@example.com',
          '--full-name',
          'Soon Vendor',
          '--password',
          'yet-another-password',
          '--json',
        ]);
        expect(created.code, created.stderr).toBe(0);
        const { id } = parseJson<UserJson>(created);

        const updated = await cli(['users', 'update', id, '--role', 'vendor', '--json']);
        expect(updated.code, updated.stderr).toBe(0);
        expect(parseJson<UserJson>(updated)).toMatchObject({ id, role: 'vendor' });
      },
      CLI_TIMEOUT,
    );

    it(
      'a malformed user id is a usage error (exit 2) caught before any request',
      async () => {
        for (const args of [
          ['users', 'show', 'not-a-uuid'],
          ['users', 'update', '1234', '--role', 'admin'],
        ]) {
          const run = await cli(args);
          expect(run.code, args.join(' ')).toBe(2);
          expect(run.stderr).toContain('Not an id: ids are UUIDs');
          expect(run.stderr).not.toContain('validation_failed');
          expect(run.stdout).toBe('');
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'users update without a change is a usage error (exit 2)',
      async () => {
        const run = await cli(['users', 'update', '00000000-0000-7000-8000-000000000000']);
        expect(run.code).toBe(2);
      },
      CLI_TIMEOUT,
    );

    it(
      'refreshes an expired access token and saves the new pair',
      async () => {
        const before = await editProfile((profile) => ({
          ...profile,
          expiresAt: new Date(Date.now() - 60_000).toISOString(),
        }));
        const run = await cli(['whoami', '--json']);
        expect(run.code, run.stderr).toBe(0);
        const after = await storedProfile();
        expect(after.refreshToken).not.toBe(before.refreshToken);
        expect(Date.parse(after.expiresAt ?? '')).toBeGreaterThan(Date.now());
      },
      CLI_TIMEOUT,
    );

    it(
      'refreshes once when the server rejects the stored access token',
      async () => {
        await editProfile((profile) => ({ ...profile, accessToken: 'not-a-valid-token' }));
        const run = await cli(['users', 'list', '--json']);
        expect(run.code, run.stderr).toBe(0);
        expect((await storedProfile()).accessToken).not.toBe('not-a-valid-token');
      },
      CLI_TIMEOUT,
    );

    it(
      'exits 3 with a login hint when neither token is accepted',
      async () => {
        const home = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
        try {
          const loggedIn = await cli(['login', '--email', ADMIN.email], {
            home,
            env: { EMPORIUM_PASSWORD: ADMIN.password },
          });
          expect(loggedIn.code, loggedIn.stderr).toBe(0);
          const file = join(home, 'emporium', 'config.json');
          const stored = JSON.parse(await readFile(file, 'utf8')) as StoredConfig;
          stored.profiles.default = {
            ...stored.profiles.default,
            accessToken: 'not-a-valid-token',
            refreshToken: 'not-a-valid-token',
          };
          await writeFile(file, JSON.stringify(stored), { mode: 0o600 });

          const run = await cli(['whoami'], { home });
          expect(run.code).toBe(3);
          expect(run.stderr).toContain('run `emporium login`');
        } finally {
          await rm(home, { recursive: true, force: true });
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'logout ends the session, after which whoami exits 3',
      async () => {
        const loggedIn = await cli(['--profile', 'leaving', 'login', '--email', ADMIN.email], {
          env: { EMPORIUM_PASSWORD: ADMIN.password },
        });
        expect(loggedIn.code, loggedIn.stderr).toBe(0);

        const loggedOut = await cli(['--profile', 'leaving', 'logout']);
        expect(loggedOut.code, loggedOut.stderr).toBe(0);
        const stored = JSON.parse(await readFile(configFile(), 'utf8')) as StoredConfig;
        expect(stored.profiles.leaving).toEqual({ url: server.baseUrl, email: ADMIN.email });

        const whoami = await cli(['--profile', 'leaving', 'whoami']);
        expect(whoami.code).toBe(3);
        expect(whoami.stderr).toContain('emporium login --profile leaving');
      },
      CLI_TIMEOUT,
    );
  });
});
