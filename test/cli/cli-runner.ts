/**
 * Runs the emporium CLI as a child process exactly as an operator runs it, with its config under a throwaway
 * XDG_CONFIG_HOME; shared by the CLI's e2e test files.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../../cli/bin/emporium.js');

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
}

/** The caller's own EMPORIUM_* variables must not leak into the runs. */
function cleanEnv(configHome: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EMPORIUM_')));
  return { ...env, XDG_CONFIG_HOME: configHome, NO_COLOR: '1', ...extra };
}

export function runCli(args: string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: tmpdir(),
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
