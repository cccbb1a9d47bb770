import { MessagioModule, MessagioObservers, type MessagioObserver } from 'nestjs-messagio';

/** Stand-in for a prom-client Histogram (`new client.Histogram({ name, help, labelNames })`). */
interface Histogram {
  observe(labels: Record<string, string>, seconds: number): void;
}
declare const histogram: Histogram;
declare const connection: { host: string; port: number };
declare const observers: MessagioObservers; // app.get(MessagioObservers), or injected

// #region observers
MessagioModule.forRoot({
  connection,
  observers: [
    {
      completed: (e) => histogram.observe({ listener: e.envelope!.listener, outcome: 'completed' }, e.durationMs / 1000),
      failed: (e) => histogram.observe({ listener: e.envelope?.listener ?? 'unknown', outcome: 'failed' }, e.durationMs / 1000),
    },
  ],
});
// #endregion

// #region at-run-time
const logFires: MessagioObserver = {
  fired: (e) => console.log(`fired ${e.type} ${e.receipt.messageId} to ${e.receipt.listeners.join(', ')}${e.sync ? ' (sync)' : ''}`),
  retrying: (e) => console.log(`retrying ${e.envelope?.listener} in ${e.delay} ms: ${e.error.message}`),
};
const remove = observers.add(logFires); // returns remove()
// #endregion
remove();
