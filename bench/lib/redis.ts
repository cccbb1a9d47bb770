// The benchmark's own redis-server, and what the harness asks of it.
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/index.js';

export interface RedisTarget {
  host: string;
  port: number;
}

export class BenchRedis implements RedisTarget {
  private constructor(
    private readonly server: Pick<RedisServerHandle, 'host' | 'port' | 'stop'>,
    readonly admin: Redis,
  ) {}

  get host(): string {
    return this.server.host;
  }

  get port(): number {
    return this.server.port;
  }

  /** The benchmark's redis-server, from a child process that runs one trial (stopping it only disconnects). */
  static async attach(target: RedisTarget): Promise<BenchRedis> {
    const admin = new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: null, lazyConnect: true });
    await admin.connect();
    return new BenchRedis({ host: target.host, port: target.port, stop: async () => undefined }, admin);
  }

  /** Starts a private redis-server on a free port (persistence off). */
  static async start(): Promise<BenchRedis> {
    const server = await startRedisServer();
    const admin = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: null, lazyConnect: true });
    await admin.connect();
    return new BenchRedis(server, admin);
  }

  /** Empties Redis between trials, so no trial pays for another's keys. */
  async flush(): Promise<void> {
    await this.admin.flushall();
  }

  /** `used_memory` of INFO memory, in bytes. */
  async usedMemory(): Promise<number> {
    return Number(/used_memory:(\d+)/.exec(await this.admin.info('memory'))?.[1] ?? Number.NaN);
  }

  /** CPU seconds the redis-server process has used (user + system, INFO cpu): Redis's own cost of a trial. */
  async cpuSeconds(): Promise<number> {
    const info = await this.admin.info('cpu');
    const read = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
    return read('used_cpu_user') + read('used_cpu_sys');
  }

  async version(): Promise<string> {
    return /redis_version:(\S+)/.exec(await this.admin.info('server'))?.[1] ?? 'unknown';
  }

  async stop(): Promise<void> {
    this.admin.disconnect();
    await this.server.stop();
  }
}
