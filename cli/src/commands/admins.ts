/** admins create: a verified admin account, made without the mail round trip that sign-ups go through. */
import { createUser } from '@emporium/sdk';
import type { Command } from 'commander';
import { resolveContext } from '../context';
import { readSecret } from '../secrets';
import { openSession } from '../session';
import { printUser } from '../views';

interface CreateOptions {
  email: string;
  fullName: string;
  password?: string;
}

export function registerAdminCommands(program: Command): void {
  const admins = program.command('admins').description('manage administrators (admins only)');

  admins
    .command('create')
    .description('create a verified admin account')
    .requiredOption('--email <email>', "the new admin's email")
    .requiredOption('--full-name <name>', "the new admin's full name")
    .option('--password <password>', 'their initial password, 12-128 characters (else piped stdin or a prompt)')
    .action(async (options: CreateOptions, command: Command) => {
      const context = await resolveContext(command);
      // Before the prompt, so that a profile that is not logged in fails before anyone types a password.
      const session = await openSession(context);
      // No environment fallback: EMPORIUM_PASSWORD is the caller's own password, not the new admin's.
      const password = await readSecret({
        flag: options.password,
        prompt: 'Password for the new admin: ',
        confirm: true,
      });
      const user = await session.call((client) =>
        createUser({ client, body: { email: options.email, fullName: options.fullName, password, role: 'admin' } }),
      );
      printUser(user, context.json);
    });
}
