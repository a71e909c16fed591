/** login, logout, whoami: the profile's session. */
import { getProfile, login, logout } from '@emporium/sdk';
import type { Command } from 'commander';
import { createClient, unwrap } from '../api';
import { readProfile, tokensOf, updateProfile } from '../config-store';
import { resolveContext } from '../context';
import { CliError, ExitCode } from '../errors';
import { notice, printJson, printLine } from '../output';
import { readSecret } from '../secrets';
import { openSession, tokensFromPair } from '../session';
import { printUser } from '../views';

interface LoginOptions {
  email?: string;
  password?: string;
}

export function registerAuthCommands(program: Command): void {
  program
    .command('login')
    .description('log in and store the tokens in the profile')
    .option('--email <email>', 'account email (default: the one this profile last logged in with)')
    .option('--password <password>', 'password (else EMPORIUM_PASSWORD, piped stdin, or a prompt)')
    .action(async (options: LoginOptions, command: Command) => {
      const context = await resolveContext(command);
      const email = options.email ?? (await readProfile(context.profile))?.email;
      if (!email) command.error("error: required option '--email <email>' not specified");
      const password = await readSecret({ flag: options.password, env: 'EMPORIUM_PASSWORD', prompt: 'Password: ' });
      const pair = await unwrap(
        login({ client: createClient(context.baseUrl), body: { email, password } }),
        context.baseUrl,
      );
      await updateProfile(context.profile, (current) => ({
        ...current,
        url: context.baseUrl,
        email: pair.user.email,
        ...tokensFromPair(pair),
      }));
      if (context.json) return printJson({ profile: context.profile, url: context.baseUrl, user: pair.user });
      printLine(
        `Logged in to ${context.baseUrl} as ${pair.user.email} (${pair.user.role}), profile "${context.profile}".`,
      );
    });

  program
    .command('logout')
    .description('end the session on the server and forget its tokens')
    .action(async (_options: unknown, command: Command) => {
      const context = await resolveContext(command);
      if (!tokensOf(await readProfile(context.profile))) {
        notice(`Profile "${context.profile}" is not logged in.`);
        return;
      }
      const session = await openSession(context);
      try {
        await session.call((client, tokens) => logout({ client, body: { refreshToken: tokens.refreshToken } }));
      } catch (error) {
        // A session the server no longer accepts is already logged out there; only the local copy is left.
        if (!(error instanceof CliError && error.exitCode === ExitCode.notLoggedIn)) {
          await forgetTokens(context.profile);
          throw new CliError(
            `tokens removed locally, but the server did not confirm the logout: ${error instanceof Error ? error.message : String(error)}`,
            error instanceof CliError ? error.exitCode : ExitCode.failure,
          );
        }
      }
      await forgetTokens(context.profile);
      if (context.json) return printJson({ profile: context.profile, loggedOut: true });
      printLine(`Logged out of profile "${context.profile}".`);
    });

  program
    .command('whoami')
    .description('show the logged-in user')
    .action(async (_options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const user = await session.call((client) => getProfile({ client }));
      printUser(user, context.json);
    });
}

/** Keeps the URL and email so the next `login` needs only the password. */
async function forgetTokens(profile: string): Promise<void> {
  await updateProfile(profile, (current) => (current ? { url: current.url, email: current.email } : undefined));
}
