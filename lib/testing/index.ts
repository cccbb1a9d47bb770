// The ./testing entry point: helpers for testing apps that use nestjs-messagio.
export {
  startRedisServer,
  hasRedisServer,
  freePort,
  type RedisServerHandle,
  type StartRedisServerOptions,
} from './redis-server.js';
