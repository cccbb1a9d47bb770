import { MessagioAdmin } from 'nestjs-messagio';

declare const admin: MessagioAdmin;
declare const messageId: string;

export async function operations(): Promise<void> {
  // #region operations
  // Lag: rows waiting for the relay, and the age of the oldest.
  const { pending, dead, oldestPendingMs } = await admin.outbox.stats();
  // A message still in the outbox shows its deliveries as `outbox` (or `dead`).
  const states = await admin.status(messageId);
  // Dead rows: never relayed (malformed, or refused by the transport maxAttempts times), with the reason.
  const rows = await admin.outbox.dead(50);
  // Once the cause is fixed: back in line for the relay, with fresh attempts.
  await admin.outbox.retry(rows.map((row) => row.id));
  // #endregion
  void [pending, dead, oldestPendingMs, states];
}
