import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { Cluster } from 'ioredis';
import { MessagioPublisher } from '../../lib/index.js';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Listeners } from './fixtures/listeners.js';
import { Recorder } from './fixtures/recorder.js';
import { eventually } from '../support/redis.js';


describe('Redis Cluster', () => {
  const nodes: RedisServerHandle[] = [];
  beforeAll(async () => {
    // A real three-master cluster on loopback.
    for (let i = 0; i < 3; i++) {
      nodes.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--cluster-node-timeout', '2000'] }));
    }
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
    await eventually(() => /cluster_state:ok/.test(execFileSync('redis-cli', ['-p', String(nodes[0]!.port), 'cluster', 'info']).toString()), 15_000, 'the cluster');
  }, 30_000);
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('works with a hash-tag prefix: every key of the queue lands in one slot', async () => {
    const cluster = () => new Cluster(nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { redisOptions: { maxRetriesPerRequest: null } });
    // A client instance given as `connection` belongs to the app: BullMQ does not close it.
    const connection = cluster();
    const app = await createApp({ providers: [Listeners], connection, prefix: '{messagio}' });
    const probe = cluster();
    try {
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('cluster', 1));
      expect((await receipt.wait({ timeout: 15_000 })).ok).toBe(true);
      expect(app.get(Recorder).calls).toHaveLength(1);
      // All the queue's keys hash to the slot of "messagio", on one node. (The probe knows
      // the cluster's nodes only once it is ready: before, nodes() is empty.)
      if (probe.status !== 'ready') await once(probe, 'ready');
      const keys = (await Promise.all(probe.nodes('master').map((node) => node.keys('{messagio}:*')))).flat();
      expect(keys.length).toBeGreaterThan(0);
      const slots = new Set(await Promise.all(keys.map((key) => probe.cluster('KEYSLOT', key))));
      expect(slots.size).toBe(1);
    } finally {
      probe.disconnect();
      await app.close();
      connection.disconnect();
    }
  }, 60_000);
});
