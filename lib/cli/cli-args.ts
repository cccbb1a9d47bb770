/** What `nestjs-messagio contracts …` was asked to do. */
export interface ContractsArgs {
  command: 'export' | 'snapshot' | 'check';
  /** The built module file that exports the app module. */
  app: string;
  /** Where to write (export: stdout when unset; snapshot: contracts.json). */
  out: string | undefined;
  /** check: the snapshot to compare with. */
  against: string | undefined;
}

export const USAGE = `Usage: nestjs-messagio contracts <command> [options]

Commands:
  export     print the app's AsyncAPI 3.0 document (or write it with --out)
  snapshot   write the app's contracts snapshot (default: contracts.json)
  check      compare the app with a snapshot: a table of changes; exit 1 on a breaking one

Options:
  --app <file>       the built module file exporting the app module (default export, or AppModule);
                     default: dist/app.module.js
  --out <file>       export, snapshot: where to write
  --against <file>   check: the committed snapshot (default: contracts.json)

The app boots with MESSAGIO_CONTRACTS_ONLY=1: the memory transport, no worker, no Redis.
Exit codes: 0 ok, 1 breaking change, 2 usage or boot error.`;

/** Parses the arguments after the program name; `{ error }` says what is wrong, `{ help }` asks for the usage. */
export function parseContractsArgs(argv: readonly string[]): ContractsArgs | { help: true } | { error: string } {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const [group, command, ...rest] = argv;
  if (group !== 'contracts') return { error: group === undefined ? 'no command given' : `unknown command "${group}"` };
  if (command !== 'export' && command !== 'snapshot' && command !== 'check') {
    return { error: command === undefined ? 'contracts needs a command: export, snapshot or check' : `unknown contracts command "${command}"` };
  }
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const [name, inline] = flag.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!['--app', '--out', '--against'].includes(name)) return { error: `unknown option "${flag}"` };
    const value = inline ?? rest[++i];
    if (value === undefined || value === '') return { error: `${name} needs a file` };
    flags[name] = value;
  }
  if (flags['--against'] !== undefined && command !== 'check') return { error: '--against is for check' };
  if (flags['--out'] !== undefined && command === 'check') return { error: '--out is for export and snapshot' };
  return {
    command,
    app: flags['--app'] ?? 'dist/app.module.js',
    out: flags['--out'] ?? (command === 'snapshot' ? 'contracts.json' : undefined),
    against: command === 'check' ? (flags['--against'] ?? 'contracts.json') : undefined,
  };
}
