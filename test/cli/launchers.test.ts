/**
 * The documented ways to start the CLI from a checkout (README: `./emporium` and `npm run --silent emporium --`)
 * give `--json` output that parses: nothing but the CLI's own output reaches stdout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { CLI_TIMEOUT, parseJson, REPO_ROOT, runProgram } from './cli-runner';

describe('emporium CLI: documented launchers', () => {
  let server: TestServer;
  let configHome: string;
  const launch = (file: string, args: string[]) => runProgram(file, args, { configHome, cwd: REPO_ROOT });
  const categoriesJson = () => ['--url', server.baseUrl, 'categories', 'list', '--json'];

  beforeAll(async () => {
    server = await startTestServer();
    configHome = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
  });

  afterAll(async () => {
    await server?.close();
    if (configHome) await rm(configHome, { recursive: true, force: true });
  });

  it(
    '`npm run --silent emporium -- ... --json` prints JSON alone on stdout',
    async () => {
      const run = await launch('npm', ['run', '--silent', 'emporium', '--', ...categoriesJson()]);
      expect(run.code, run.stderr).toBe(0);
      expect(parseJson(run)).toEqual({ data: expect.any(Array) });
      expect(run.stderr).not.toContain('note:');
    },
    CLI_TIMEOUT,
  );

  it(
    '`./emporium ... --json` prints JSON alone on stdout',
    async () => {
      const run = await launch(join(REPO_ROOT, 'emporium'), categoriesJson());
      expect(run.code, run.stderr).toBe(0);
      expect(parseJson(run)).toEqual({ data: expect.any(Array) });
    },
    CLI_TIMEOUT,
  );

  it(
    '`npm run emporium` without --silent says on stderr why stdout is not pure JSON and what to run instead',
    async () => {
      const run = await launch('npm', ['run', 'emporium', '--', ...categoriesJson()]);
      expect(run.code, run.stderr).toBe(0);
      expect(() => parseJson(run)).toThrow(SyntaxError);
      expect(run.stderr).toContain('for JSON alone run `npm run --silent emporium -- ...` or `./emporium ...`');
    },
    CLI_TIMEOUT,
  );

  it(
    'exit codes pass through the launchers (a usage error is 2)',
    async () => {
      const npm = await launch('npm', ['run', '--silent', 'emporium', '--', 'no-such-command']);
      expect(npm.code).toBe(2);
      const wrapper = await launch(join(REPO_ROOT, 'emporium'), ['no-such-command']);
      expect(wrapper.code).toBe(2);
    },
    CLI_TIMEOUT,
  );
});
