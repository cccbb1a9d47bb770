/** The inbox table of an outbox: `"schema"."<table>_inbox"`, quoted (names checked by `outboxSqlNames`). */
export function inboxTable({ schema, tableName }: { schema: string; tableName: string }): string {
  return `"${schema}"."${tableName}_inbox"`;
}
