import { readFileSync, writeFileSync } from 'node:fs';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { changesTable } from '../contracts/changes-table.js';
import { readSnapshot } from '../contracts/contracts-snapshot.js';
import { MessagioContracts } from '../contracts/messagio-contracts.js';
import { MessagioSnapshotError } from '../errors/messagio-snapshot.error.js';
import type { ContractsArgs } from './cli-args.js';

/** Where the command writes: stdout for results, stderr for everything else. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Runs `contracts export|snapshot|check` on an app module already imported
 * (with MESSAGIO_CONTRACTS_ONLY=1 set before, so it boots on the memory
 * transport without a worker). Returns the exit code: 0 ok, 1 a breaking
 * change, 2 a boot or usage error.
 */
export async function runContractsCommand(args: ContractsArgs, appModule: unknown, io: CliOutput): Promise<number> {
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(appModule as never, { logger: stderrLogger(io), abortOnError: false });
  } catch (error) {
    io.err(`Could not boot the app of ${args.app}: ${describe(error)}\n`);
    return 2;
  }
  try {
    const contracts = MessagioContracts.of(app);
    if (args.command === 'export') {
      const json = `${JSON.stringify(contracts.asyncapi(), null, 2)}\n`;
      if (args.out === undefined) io.out(json);
      else {
        writeFileSync(args.out, json);
        io.err(`Wrote the AsyncAPI document of ${args.app} to ${args.out}.\n`);
      }
      return 0;
    }
    if (args.command === 'snapshot') {
      const snapshot = contracts.snapshot();
      writeFileSync(args.out!, `${JSON.stringify(snapshot, null, 2)}\n`);
      io.err(`Wrote the contracts of ${Object.keys(snapshot.types).length} message types to ${args.out}: commit it, and run \`contracts check\` in CI.\n`);
      return 0;
    }
    const against = readSnapshot(parseJson(args.against!), args.against!);
    const changes = contracts.check(against);
    io.out(`${changesTable(changes)}\n`);
    const breaking = changes.filter((c) => c.verdict === 'breaking').length;
    if (breaking === 0) return 0;
    io.err(
      `\n${breaking} breaking change${breaking === 1 ? '' : 's'} against ${args.against}: raise the type's version with an ` +
        `@MessagioUpcast from the old one, or undo the change. Once intended, write a new snapshot with \`contracts snapshot\`.\n`,
    );
    return 1;
  } catch (error) {
    io.err(`${describe(error)}\n`);
    return 2;
  } finally {
    await app.close();
  }
}

function parseJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MessagioSnapshotError(`Cannot read ${file} (${(error as Error).message}): write a snapshot first with \`contracts snapshot\`.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MessagioSnapshotError(`${file} is not JSON (${(error as Error).message}): write it with \`contracts snapshot\`.`);
  }
}

/** Nest's log lines on stderr (warnings and errors: the startup report), so that stdout holds only the result. */
function stderrLogger(io: CliOutput): LoggerService {
  const line = (level: string) => (message: unknown, context?: unknown) =>
    io.err(`${level} ${typeof context === 'string' ? `[${context}] ` : ''}${String(message)}\n`);
  return { log: () => undefined, debug: () => undefined, verbose: () => undefined, warn: line('WARN'), error: line('ERROR'), fatal: line('FATAL') };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
