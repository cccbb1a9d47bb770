import { Injectable } from '@nestjs/common';
import { trace, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BullMQOtel } from 'bullmq-otel';
import { MessagioContext, MessagioPublisher, OnMessagio } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('test');

const inListener: Array<{ listener: string; traceId: string | undefined }> = [];

@Injectable()
class Traced {
  @OnMessagio(PerformAction, { id: 'mail' }) mail(_m: PerformAction, ctx: MessagioContext) {
    inListener.push({ listener: ctx.listener, traceId: trace.getActiveSpan()?.spanContext().traceId });
    // Work a listener does shows up inside the same trace.
    tracer.startActiveSpan('send mail', (span) => span.end());
  }
  @OnMessagio(PerformAction, { id: 'stock' }) stock(_m: PerformAction, ctx: MessagioContext) {
    inListener.push({ listener: ctx.listener, traceId: trace.getActiveSpan()?.spanContext().traceId });
  }
}

// Over Redis, and over BullMQ's PostgreSQL backend (its telemetry is the same code, above the backend).
describe.each(['bullmq', 'postgres'] as const)('OpenTelemetry (%s)', (transport) => {
  afterAll(async () => {
    if (transport === 'postgres') await provider.shutdown();
  });
  beforeEach(() => {
    inListener.length = 0;
  });

  it('carries the firing code’s trace to each listener: HTTP request → fire → each listener, one trace', async () => {
    const app = await createApp({ transport, providers: [Traced], telemetry: new BullMQOtel({ tracerName: 'messagio-test' }) });
    try {
      const { traceId, receipt } = await tracer.startActiveSpan('GET /orders/42', { kind: SpanKind.SERVER }, async (span) => {
        const receipt = await app.get(MessagioPublisher).fire(new PerformAction('traced', 42));
        span.end();
        return { traceId: span.spanContext().traceId, receipt };
      });
      expect((await receipt.wait()).ok).toBe(true);
      expect(inListener.map((l) => [l.listener, l.traceId]).sort()).toEqual([
        ['mail', traceId],
        ['stock', traceId],
      ]);
      await new Promise((r) => setTimeout(r, 100)); // consumer spans end after the listener returns
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      const names = spans.map((s) => s.name);
      expect(names).toContain('GET /orders/42');
      expect(names).toContain('send mail');
      // One producer span for the fire, one consumer span per listener's delivery.
      expect(spans.filter((s) => s.kind === SpanKind.PRODUCER).length).toBeGreaterThanOrEqual(1);
      expect(spans.filter((s) => s.kind === SpanKind.CONSUMER)).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});
