/**
 * The SDK as a frontend team gets it: `pnpm pack`, installed from the tarball into a scratch project outside the
 * workspace, a small program type-checked in strict mode (Node ESM resolution, and a bundler's), then run against the
 * real server. Nothing of the workspace leaks in: the scratch project has only the tarball in its node_modules.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct, publish } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** Strict, no Node types (the DOM library only, as in a browser app), and library .d.ts files checked too. */
const compilerOptions = {
  strict: true,
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  types: [],
  skipLibCheck: false,
  noEmit: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  allowImportingTsExtensions: true,
};

/** A local URL where nothing listens: a port the OS just handed out and took back. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return `http://127.0.0.1:${port}`;
}

describe('@emporium/sdk packed and installed outside the workspace', () => {
  let server: TestServer;
  let customer: SignedInUser;
  let scratch: string;
  let tarball: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'emporium-sdk-consumer-'));
    const packing = run('pnpm', ['pack', '--pack-destination', scratch], { cwd: join(root, 'sdk') });
    server = await startTestServer({ env: ADMIN_ENV });
    const [admin, vendor] = await Promise.all([
      signIn(server, ADMIN.email, ADMIN.password),
      makeUser(server, 'vendor'),
    ]);
    customer = await makeUser(server, 'customer');
    const categoryId = await makeCategory(server, admin, 'Lamps');
    for (const name of ['Quokka Lantern', 'Wombat Lamp', 'Numbat Candle']) {
      const product = await makeProduct(server, vendor, { categoryId, name });
      await publish(server, vendor, admin, product.id);
    }
    await packing;
    const packed = (await readdir(scratch)).find((file) => file.endsWith('.tgz'));
    if (!packed) throw new Error('pnpm pack wrote no tarball');
    tarball = join(scratch, packed);
    await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--cache',
        join(scratch, '.npm'),
        tarball,
      ],
      { cwd: scratch },
    );
    await copyFile(join(import.meta.dirname, 'consumer/main.ts'), join(scratch, 'main.ts'));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('ships dist/ with declarations and entry points that name it, and no TypeScript source', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts']));
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    const { stdout: manifest } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
    expect(JSON.parse(manifest)).toMatchObject({
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    });
  });

  it('type-checks a strict program under Node ESM resolution and a bundler resolution', async () => {
    const configs = {
      'tsconfig.node.json': { module: 'nodenext', moduleResolution: 'nodenext' },
      // The library's own .d.ts files are checked once (above); here only the program's view of them.
      'tsconfig.bundler.json': { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true },
    };
    await Promise.all(
      Object.entries(configs).map(([file, resolution]) =>
        writeFile(
          join(scratch, file),
          JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, files: ['main.ts'] }),
        ),
      ),
    );
    const checks = Object.keys(configs).map((file) =>
      run(process.execPath, [tsc, '-p', file], { cwd: scratch }).catch((error: Error & { stdout?: string }) => {
        throw new Error(`tsc -p ${file} failed:\n${error.stdout ?? error.message}`);
      }),
    );
    await Promise.all(checks);
  }, 60_000);

  it('runs against the server: login, pages, typed problems, one shared refresh, network errors', async () => {
    const nowhere = await closedPortUrl();
    const { stdout } = await run(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'main.ts', server.baseUrl, customer.email, customer.password, nowhere],
      { cwd: scratch },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);

    expect(report).toEqual({
      registerStatus: 202,
      unverifiedLogin: { status: 403, code: 'email_not_verified' },
      profileEmail: customer.email,
      productNames: expect.arrayContaining(['Quokka Lantern', 'Wombat Lamp', 'Numbat Candle']),
      paginatedCount: 3,
      missingProduct: { status: 404, code: 'not_found', hasRequestId: true },
      refresh: { statuses: [200, 200, 200, 200, 200], refreshCalls: 1, savedPairs: 1, rotated: true },
      spentRefresh: { status: 401, code: 'invalid_token', signedIn: false },
      network: { reason: 'unreachable', code: 'ECONNREFUSED' },
    });
    expect(report.productNames).toHaveLength(3);
  }, 30_000);
});
