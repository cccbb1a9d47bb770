// `nestjs-messagio contracts export|snapshot|check`. ESM only (not part of the CommonJS build): it
// loads the app, then runs the command from the build the app itself loaded, so that both see one
// copy of the library's registries.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACTS_ONLY_ENV } from '../messagio-boot-mode.js';
import { importAppModule } from './app-module-file.js';
import { parseContractsArgs, USAGE } from './cli-args.js';
import type { CliOutput, runContractsCommand } from './contracts-command.js';

/** Runs `nestjs-messagio contracts …` (`argv` starts with `contracts`); resolves to the exit code. */
export async function runContracts(argv: readonly string[], io: CliOutput): Promise<number> {
  const args = parseContractsArgs(argv);
  if ('help' in args) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if ('error' in args) {
    io.err(`nestjs-messagio: ${args.error}.\n\n${USAGE}\n`);
    return 2;
  }
  // Before the app's files run: MessagioModule.forRoot() reads it to boot without Redis or worker.
  process.env[CONTRACTS_ONLY_ENV] = '1';
  let appModule: unknown;
  try {
    appModule = await importAppModule(args.app);
  } catch (error) {
    io.err(`nestjs-messagio: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 2;
  }
  const command = await commandOfLoadedBuild();
  return command(args, appModule, io);
}

/**
 * The command from the build of this package the app loaded: an app compiled to
 * CommonJS `require`s dist/cjs/, whose registries are not this ESM build's.
 */
async function commandOfLoadedBuild(): Promise<typeof runContractsCommand> {
  const require = createRequire(import.meta.url);
  const cjs = join(dirname(fileURLToPath(import.meta.url)), '..', 'cjs') + '/';
  if (existsSync(cjs) && Object.keys(require.cache).some((file) => file.startsWith(cjs))) {
    return (require(join(cjs, 'cli', 'contracts-command.js')) as { runContractsCommand: typeof runContractsCommand }).runContractsCommand;
  }
  return (await import('./contracts-command.js')).runContractsCommand;
}
