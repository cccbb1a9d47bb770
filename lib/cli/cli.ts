import type { CliOutput } from '../outbox/outbox-cli.js';

/** A top-level command of `npx nestjs-messagio`: loaded only when it runs. */
interface CliCommand {
  summary: string;
  run(args: readonly string[], io: CliOutput): Promise<number>;
}

// One entry per command; each loads its room on use (the outbox command loads pg).
const COMMANDS: Record<string, CliCommand> = {
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
    if (name !== undefined && name !== '--help' && name !== 'help') io.err(`Unknown command ${JSON.stringify(name)}.`);
    io.err(`Usage: nestjs-messagio <command> …\n\n${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`).join('\n')}`);
    return name === '--help' || name === 'help' ? 0 : 2;
  }
  return command.run(args, io);
}
