// Child processes of the benchmark (scenarios 8 and 9), with IPC messages.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildTask } from './child.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export interface ChildHandle {
  process: ChildProcess;
  /** Resolves with the first message of this type (rejects on an `error` message or an early exit). */
  next<T extends { type: string }>(type: T['type']): Promise<T>;
  on<T extends { type: string }>(type: T['type'], fn: (message: T) => void): void;
  send(message: object): void;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
}

export function spawnChild(task: ChildTask, execArgv: string[] = []): ChildHandle {
  const child = fork(CHILD, [JSON.stringify(task)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listeners = new Map<string, Array<(message: { type: string }) => void>>();
  let failure: Error | undefined;
  const failed: Array<(error: Error) => void> = [];
  const fail = (error: Error) => {
    failure ??= error;
    for (const reject of failed.splice(0)) reject(failure);
  };
  child.on('message', (message: { type: string; message?: string }) => {
    if (message.type === 'error') fail(new Error(`child process failed: ${message.message}`));
    for (const fn of listeners.get(message.type) ?? []) fn(message);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      fail(new Error(`child process exited (code ${code}) before answering`));
      resolve(code);
    }),
  );
  const on = <T extends { type: string }>(type: string, fn: (message: T) => void) => {
    listeners.set(type, [...(listeners.get(type) ?? []), fn as (message: { type: string }) => void]);
  };
  return {
    process: child,
    on,
    next: <T extends { type: string }>(type: string) =>
      new Promise<T>((resolve, reject) => {
        if (failure) return reject(failure);
        failed.push(reject);
        on<T>(type, resolve);
      }),
    send: (message) => child.send(message),
    exited,
  };
}
