/** The fields of ioredis options (or of a client's `options`) that say where Redis is. */
interface WhereOptions {
  url?: unknown;
  host?: unknown;
  port?: unknown;
  path?: unknown;
  name?: unknown;
  sentinels?: unknown;
  options?: unknown;
  startupNodes?: unknown;
  isCluster?: unknown;
}

// BullMQ's defaults for connection options that name no host or port.
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;

/**
 * Where a BullMQ connection looks for Redis, for error messages and logs:
 * `host:port`, `unix:/path`, the nodes of a cluster or of a sentinel group.
 * Read from the connection given to the queue (ioredis options, `{ url }`, or
 * an ioredis client); never a user name or password. Decided once, at bootstrap.
 */
export function redisAddressOf(connection: unknown): string {
  if (typeof connection === 'string') return fromUrl(connection);
  if (connection === null || typeof connection !== 'object') return `${DEFAULT_HOST}:${DEFAULT_PORT}`;
  const given = connection as WhereOptions;
  // An ioredis Cluster: the nodes it was started with.
  if (Array.isArray(given.startupNodes)) return `cluster ${nodes(given.startupNodes)}`;
  // An ioredis client: where its own options point.
  if (given.options !== null && typeof given.options === 'object' && typeof (connection as { status?: unknown }).status === 'string') {
    return redisAddressOf(given.options);
  }
  if (typeof given.url === 'string') return fromUrl(given.url);
  if (typeof given.path === 'string') return `unix:${given.path}`;
  if (Array.isArray(given.sentinels)) return `sentinel group "${String(given.name ?? 'mymaster')}" via ${nodes(given.sentinels)}`;
  return hostPort(given.host, given.port);
}

function fromUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'redis+socket:' || parsed.protocol === 'unix:') return `unix:${parsed.pathname}`;
    return hostPort(parsed.hostname || undefined, parsed.port || undefined);
  } catch {
    // Not a URL Node can parse (ioredis also takes a bare socket path): say only that much.
    return url.startsWith('/') ? `unix:${url}` : 'the Redis of the connection URL';
  }
}

function nodes(list: unknown[]): string {
  return list
    .map((node) => (typeof node === 'string' ? fromUrl(node.includes('://') ? node : `redis://${node}`) : hostPort((node as WhereOptions)?.host, (node as WhereOptions)?.port)))
    .join(', ');
}

function hostPort(host: unknown, port: unknown): string {
  const name = typeof host === 'string' && host !== '' ? host : DEFAULT_HOST;
  const number = port === undefined || port === null || port === '' ? DEFAULT_PORT : port;
  // An IPv6 address keeps its brackets, as in a URL.
  return `${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${String(number)}`;
}
