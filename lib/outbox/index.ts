// nestjs-messagio/outbox: fire inside the app's database transaction.
export { MessagioOutboxModule, type MessagioOutboxAsyncOptions } from './messagio-outbox.module.js';
export type { MessagioOutboxOptions, OutboxRelayOptions } from './outbox.options.js';
export { MessagioOutbox } from './messagio-outbox.js';
export { OutboxRelay } from './outbox-relay.js';
export { PostgresOutboxStore, type PostgresOutboxStoreSettings } from './postgres-outbox.store.js';
export type { OutboxStore, ClaimedOutboxRow, OutboxPendingDelivery } from './outbox-store.js';
export { OutboxMigrator, type OutboxMigrationStatus } from './outbox-migrator.js';
export { OUTBOX_MIGRATIONS, OUTBOX_SCHEMA_VERSION, type OutboxMigration, type OutboxSqlNames } from './migrations/outbox-migrations.js';
export { outboxSqlNames } from './outbox-sql-names.js';
export { outboxExecutor, type OutboxExecutor, type OutboxClient } from './outbox-executor.js';
export { fromPg } from './from-pg.js';
export { fromTypeOrm } from './from-typeorm.js';
export { fromDrizzle, type DrizzleTransactionLike } from './from-drizzle.js';
export { fromKnex } from './from-knex.js';
export { fromKysely } from './from-kysely.js';
export { fromPrisma, type PrismaTransactionLike } from './from-prisma.js';
export { fromMikroOrm, type MikroOrmEntityManagerLike } from './from-mikro-orm.js';
export type { OutboxDeadRow, OutboxStats, OutboxMessage } from '../delivery/outbox-port.js';
