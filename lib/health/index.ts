// The `nestjs-messagio/health` entry: needs `@nestjs/terminus` (an optional peer
// dependency). Kept apart from the main entry so apps without terminus never load it.
export { MessagioHealthIndicator, type MessagioHealthCheckOptions } from './messagio-health.indicator.js';
