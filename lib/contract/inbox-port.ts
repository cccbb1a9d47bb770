/**
 * What a listener with `inbox: true` runs through (`nestjs-messagio/outbox`
 * provides it): one database transaction per attempt that first records the
 * delivery's id, then runs the listener. Defined here so the listeners never
 * load the outbox entry (nor `pg`); `MessagioOutboxModule` provides it.
 */
export interface InboxPort {
  /**
   * In one transaction: records `deliveryId` for `listenerId`, then calls
   * `fn` with that transaction, and commits when it resolves (rolls back when
   * it throws, so a retry runs it again). When the id is already recorded (a
   * redelivery of an attempt that committed), `fn` is not called: resolves to
   * false. Resolves to true when `fn` ran and committed.
   */
  run(deliveryId: string, listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean>;
}
