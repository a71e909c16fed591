/**
 * emporium: the admin command-line tool. Wires the command groups into commander and turns every failure into
 * a message on stderr and one of the documented exit codes.
 */
import { Command, CommanderError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerAdminCommands } from './commands/admins';
import { registerApiKeyCommands } from './commands/api-keys';
import { registerAuthCommands } from './commands/auth';
import { registerCategoryCommands } from './commands/categories';
import { registerHealthCommands } from './commands/health';
import { registerOrderCommands } from './commands/orders';
import { registerPaymentCommands } from './commands/payments';
import { registerProductCommands } from './commands/products';
import { registerUserCommands } from './commands/users';
import { registerVendorCommands } from './commands/vendors';
import { DEFAULT_URL, parseBaseUrl, parseProfileName } from './context';
import { ExitCode, report } from './errors';
import { notice } from './output';

/**
 * `npm run emporium` (the root script) prints npm's banner on stdout before the CLI starts, so `--json` output read
 * from a pipe no longer parses. The CLI cannot take the banner back; it can say why and what to run instead.
 */
function warnAboutPackageManagerBanner(json: boolean): void {
  const env = process.env;
  const viaRootScript = env.npm_lifecycle_event === 'emporium';
  const silenced = env.npm_config_loglevel === 'silent' || env.npm_config_reporter === 'silent';
  if (json && viaRootScript && !silenced && !process.stdout.isTTY) {
    notice(
      'note: `npm run` (or `pnpm run`) printed its banner on stdout ahead of this JSON; for JSON alone run ' +
        '`npm run --silent emporium -- ...` or `./emporium ...`',
    );
  }
}

function buildProgram(): Command {
  const program = new Command('emporium')
    .description('Administer an Emporium server')
    .version(packageJson.version)
    .addOption(
      new Option('--profile <name>', 'credentials profile to use')
        .env('EMPORIUM_PROFILE')
        .default('default')
        .argParser(parseProfileName),
    )
    .addOption(
      new Option('--url <baseUrl>', `server origin (default: the profile's, else ${DEFAULT_URL})`)
        .env('EMPORIUM_URL')
        .argParser(parseBaseUrl),
    )
    .option('--json', 'print machine-readable JSON on stdout')
    .showHelpAfterError('(add --help for usage)')
    // Set before the subcommands are added so they inherit it: commander's own exit would use code 1 for usage
    // errors, which the documented codes reserve for API failures.
    .exitOverride()
    .hook('preAction', (_program, action) => {
      warnAboutPackageManagerBanner(action.optsWithGlobals<{ json?: boolean }>().json === true);
    });

  registerAuthCommands(program);
  registerHealthCommands(program);
  registerUserCommands(program);
  registerAdminCommands(program);
  registerProductCommands(program);
  registerCategoryCommands(program);
  registerApiKeyCommands(program);
  registerOrderCommands(program);
  registerPaymentCommands(program);
  registerVendorCommands(program);
  return program;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  return report(error);
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // exitCode rather than exit(): stdout may still be draining into a pipe.
  process.exitCode = exitCodeOf(error);
}
