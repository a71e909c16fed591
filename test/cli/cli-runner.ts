/**
 * Runs the emporium CLI as a child process exactly as an operator runs it, with its config under a throwaway
 * XDG_CONFIG_HOME; shared by the CLI's e2e test files.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(REPO_ROOT, 'cli/bin/emporium.js');

/** Each run starts a Node process with tsx: generous, so a loaded machine does not fail a test. */
export const CLI_TIMEOUT = 60_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  configHome: string;
  input?: string;
  env?: Record<string, string>;
  /** Where the process starts; a temporary directory unless given. */
  cwd?: string;
}

/**
 * The caller's own EMPORIUM_* variables must not leak into the runs, nor the npm_* ones of a test run started by
 * `npm test` (they tell npm and the CLI how the outer run was launched).
 */
function cleanEnv(configHome: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('EMPORIUM_') && !/^npm_/i.test(name)),
  );
  return { ...env, XDG_CONFIG_HOME: configHome, NO_COLOR: '1', ...extra };
}

export function runCli(args: string[], options: CliRunOptions): Promise<CliRun> {
  return runProgram(process.execPath, [CLI, ...args], options);
}

/** Any program (a launcher such as `npm` or `./emporium`) under the same clean environment as runCli. */
export function runProgram(file: string, args: string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? tmpdir(),
      env: cleanEnv(options.configHome, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    // Always close stdin: a CLI that reads a piped password would otherwise wait forever.
    child.stdin.end(options.input ?? '');
  });
}

export function parseJson<T>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}
