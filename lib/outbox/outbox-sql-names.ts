import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { OutboxSqlNames } from './migrations/outbox-migrations.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema and table names, checked (they are spliced into SQL: lower-case identifiers only) and quoted. */
export function outboxSqlNames(schema = 'public', table = 'messagio_outbox'): OutboxSqlNames {
  for (const [option, value] of [['schema', schema], ['table', table]] as const) {
    if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
      throw new MessagioConfigurationError(
        `Outbox option ${option} must be a lower-case SQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(value)}.`,
      );
    }
  }
  return { schema, tableName: table, table: `"${schema}"."${table}"`, migrations: `"${schema}"."${table}_migrations"` };
}
