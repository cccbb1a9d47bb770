import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** A worker process of the fault-injection suite. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the process exited, with its code (null when killed by a signal). */
  exited: Promise<number | null>;
  output: () => string;
}

/** Starts `worker-process.mjs` and resolves once it consumes. */
export async function startWorker(env: Record<string, string>, timeout = 15_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(here, 'worker-process.mjs')], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeout;
  while (!out.includes('ready')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, exited, output: () => out };
}

/** A scratch directory for log files; remove it with the returned function. */
export function scratch(): { dir: string; file: (name: string) => string; read: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'messagio-fault-'));
  return {
    dir,
    file: (name) => join(dir, name),
    read: (name) => {
      try {
        return readFileSync(join(dir, name), 'utf8');
      } catch {
        return '';
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Prints one line of figures, as the suite's report. */
export function report(scenario: string, figures: Record<string, number>): void {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`[fault-injection] ${scenario}: ${line}\n`);
}
