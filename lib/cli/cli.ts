import type { CliOutput } from '../outbox/outbox-cli.js';

/** A top-level command of `npx nestjs-messagio`: loaded only when it runs. */
interface CliCommand {
  summary: string;
  run(args: readonly string[], io: CliOutput): Promise<number>;
}

// One entry per command; each loads its room on use (the outbox command loads pg).
const COMMANDS: Record<string, CliCommand> = {
  contracts: {
    summary: 'the AsyncAPI document and the breaking-change check: export | snapshot | check',
    // The contracts command writes whole texts (ending in a newline) where the outbox one writes lines.
    run: async (args, io) =>
      (await import('./contracts-main.js')).runContracts(['contracts', ...args], {
        out: (text) => io.out(text.replace(/\n$/, '')),
        err: (text) => io.err(text.replace(/\n$/, '')),
      }),
  },
  outbox: {
    summary: 'the transactional outbox: migrate | status | sql',
    run: async (args, io) => (await import('../outbox/outbox-cli.js')).runOutboxCommand(args, io),
  },
};

/** Runs `nestjs-messagio <command> …`; resolves to the exit code (2: usage). */
export async function runCli(argv: readonly string[], io: CliOutput): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    const help = name === '--help' || name === '-h' || name === 'help';
    if (name !== undefined && !help) io.err(`Unknown command ${JSON.stringify(name)}.`);
    const usage = `Usage: nestjs-messagio <command> …\n\n${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`).join('\n')}`;
    // Asked for: on stdout, exit 0; after a mistake: on stderr, exit 2.
    if (help) io.out(usage);
    else io.err(usage);
    return help ? 0 : 2;
  }
  return command.run(args, io);
}
