/**
 * Passwords from a flag, the environment, piped stdin, or a prompt that does not echo. The prompt and its
 * messages go to stderr, so `--json` output on stdout stays parseable.
 */
import { CliError, ExitCode } from './errors';
import { notice } from './output';

export interface SecretSource {
  /** The value of a --password flag, if given. */
  flag?: string;
  /** An environment variable to read before stdin. */
  env?: string;
  prompt: string;
  /** Ask twice on a terminal, for passwords being set rather than checked. */
  confirm?: boolean;
}

export async function readSecret(source: SecretSource): Promise<string> {
  if (source.flag !== undefined) {
    notice('warning: a password given as a flag is visible to other local users; prefer stdin or a prompt');
    return source.flag;
  }
  const fromEnv = source.env ? process.env[source.env] : undefined;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) return nonEmpty(stripLineEnd(await readStdin()));
  const first = await promptHidden(source.prompt);
  if (source.confirm && (await promptHidden('Repeat it: ')) !== first) {
    throw new CliError('the two passwords differ', ExitCode.failure);
  }
  return nonEmpty(first);
}

function nonEmpty(secret: string): string {
  if (!secret) throw new CliError('no password given (use --password, stdin or a terminal prompt)', ExitCode.failure);
  return secret;
}

/** `echo secret | emporium login` adds a newline that is not part of the password. */
function stripLineEnd(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n' || character === '\u0004') {
          finish(() => resolve(value));
          return;
        }
        if (character === '\u0003') {
          finish(() => reject(new CliError('cancelled', 130)));
          return;
        }
        if (character === '\u007f' || character === '\b') value = [...value].slice(0, -1).join('');
        else if (character >= ' ') value += character;
      }
    };
    input.on('data', onData);
  });
}
