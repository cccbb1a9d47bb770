// The AsyncAPI 3.0 document of a running app (MessagioContracts.asyncapi()): a channel per
// queue, send and receive operations, payload schemas and envelope headers, MessagioFault;
// validated by @asyncapi/parser with no error and no warning.
import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Parser } from '@asyncapi/parser';
import { IsIn, IsInt, IsString } from 'class-validator';
import { MessagioContracts, MessagioContractsModule, type AsyncApiDocument } from '../../lib/contracts/index.js';
import { Messagio, MessagioConfigurationError, MessagioFault, MessagioType, MessagioUpcast, OnMessagio } from '../../lib/index.js';
import { createApp } from '../e2e/fixtures/app.js';

// Every class declared with @MessagioType in this process is known to the app: this file
// imports no fixture file that declares messages, so the document holds these alone.
class TimeoutError extends Error {}

@MessagioType('shop.order', { version: 2 })
@MessagioUpcast(1, ({ total, ...rest }) => ({ ...rest, totalCents: total }))
class ShopOrder extends Messagio {
  @IsString() orderId!: string;
  @IsInt() totalCents!: number;
}

@MessagioType('shop.refund-requested', { version: 1 })
class ShopRefund extends Messagio {
  @IsString() orderId!: string;
  @IsIn(['damaged', 'late']) reason!: string;
}

/** Fired by this app, listened to elsewhere: known through the `messages` option. */
@MessagioType('shop.newsletter-sent', { version: 1 })
class NewsletterSent extends Messagio {
  @IsString() issue!: string;
}

/** Declared with @MessagioType only: known without being listed. */
@MessagioType('shop.coupon-issued', { version: 1 })
class CouponIssued extends Messagio {
  @IsString() code!: string;
}

@Injectable()
class ShopListeners {
  @OnMessagio(ShopOrder, { id: 'billing', priority: 9, maxRetries: 3, retryDelay: 200, backoff: 'exponential', retryOn: [TimeoutError] })
  bill(): void {}

  @OnMessagio([ShopOrder, ShopRefund], { id: 'audit', queue: 'audit', priority: 0 })
  audit(): void {}

  @OnMessagio(ShopRefund, { id: 'refunds' })
  refund(): void {}

  @OnMessagio(MessagioFault, { id: 'faults' })
  fault(): void {}
}

describe('MessagioContracts.asyncapi(): the AsyncAPI 3.0 document of an app', () => {
  let app: TestingModule;
  let doc: AsyncApiDocument;

  beforeAll(async () => {
    app = await createApp({
      transport: 'memory',
      queueName: 'shop',
      queues: { critical: {}, audit: {} },
      routes: { 'shop.refund*': 'critical' },
      messages: [NewsletterSent],
      providers: [ShopListeners],
      imports: [MessagioContractsModule.forRoot({ info: { title: 'Shop', version: '3.1.4' } })],
    });
    doc = app.get(MessagioContracts).asyncapi();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('passes @asyncapi/parser with no error and no warning', async () => {
    const diagnostics = await new Parser().validate(doc as never);
    // Severity 0 is an error, 1 a warning; 2 and 3 are hints (such as "3.1.0 exists").
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join('/')}: ${d.message}`)).toEqual([]);
    const { document } = await new Parser().parse(doc as never);
    expect(document?.allMessages().all().map((m) => m.name()).sort()).toEqual(
      ['messagio.fault', 'shop.coupon-issued', 'shop.newsletter-sent', 'shop.order', 'shop.refund-requested'],
    );
  });

  it('is AsyncAPI 3.0.0 with the info given', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toMatchObject({ title: 'Shop', version: '3.1.4' });
    expect(doc.defaultContentType).toBe('application/json');
  });

  it('has one channel per queue, its address the BullMQ queue name, with the messages its deliveries carry', () => {
    expect(Object.fromEntries(Object.entries(doc.channels).map(([key, c]) => [key, c.address]))).toEqual({ shop: 'shop', critical: 'critical', audit: 'audit' });
    const messagesOf = (channel: string) => Object.keys(doc.channels[channel]!.messages as object).sort();
    expect(messagesOf('shop')).toEqual(['messagio.fault', 'shop.coupon-issued', 'shop.newsletter-sent', 'shop.order']);
    expect(messagesOf('critical')).toEqual(['shop.refund-requested']);
    expect(messagesOf('audit')).toEqual(['shop.order', 'shop.refund-requested']);
  });

  it('has a receive operation per listener with its id, priority, retries and queue', () => {
    const receive = Object.entries(doc.operations).filter(([, op]) => op.action === 'receive');
    expect(receive.map(([id]) => id).sort()).toEqual(['receive.audit', 'receive.billing', 'receive.faults', 'receive.refunds']);
    expect(doc.operations['receive.billing']).toMatchObject({
      channel: { $ref: '#/channels/shop' },
      messages: [{ $ref: '#/channels/shop/messages/shop.order' }],
      'x-messagio-listener': 'billing',
      'x-messagio-source': 'ShopListeners.bill',
      'x-messagio-queue': 'shop',
      'x-messagio-priority': 9,
      'x-messagio-retries': { maxRetries: 3, retryDelay: 200, backoff: 'exponential', retryOn: ['TimeoutError'] },
    });
    expect(doc.operations['receive.audit']).toMatchObject({
      channel: { $ref: '#/channels/audit' },
      messages: [{ $ref: '#/channels/audit/messages/shop.order' }, { $ref: '#/channels/audit/messages/shop.refund-requested' }],
      'x-messagio-priority': 0,
      'x-messagio-queue': 'audit',
    });
    expect(doc.operations['receive.refunds']).toMatchObject({ channel: { $ref: '#/channels/critical' }, 'x-messagio-queue': 'critical' });
  });

  it('has a send operation per message type the app can fire, on each queue its deliveries go to', () => {
    const send = Object.entries(doc.operations).filter(([, op]) => op.action === 'send');
    expect(Object.fromEntries(send.map(([id, op]) => [id, [(op.channel as { $ref: string }).$ref, op['x-messagio-listeners']]]))).toEqual({
      'send.shop.coupon-issued': ['#/channels/shop', []],
      'send.shop.newsletter-sent': ['#/channels/shop', []],
      'send.shop.order.shop': ['#/channels/shop', ['billing']],
      'send.shop.order.audit': ['#/channels/audit', ['audit']],
      'send.shop.refund-requested.critical': ['#/channels/critical', ['refunds']],
      'send.shop.refund-requested.audit': ['#/channels/audit', ['audit']],
      'send.messagio.fault': ['#/channels/shop', ['faults']],
    });
    expect(doc.operations['send.shop.newsletter-sent']!.summary).toBe('No listener of this app subscribes to it: a fire from this app stores no delivery.');
  });

  it('describes each message: payload schema from the class, the envelope as headers, its version and upcasters', () => {
    const order = doc.components.messages['shop.order']!;
    expect(order).toMatchObject({
      name: 'shop.order',
      title: 'ShopOrder',
      contentType: 'application/json',
      payload: { $ref: '#/components/schemas/shop.order' },
      'x-messagio-version': 2,
      'x-messagio-upcasts-from': [1],
      correlationId: { location: '$message.header#/traceId' },
      headers: {
        allOf: [{ $ref: '#/components/schemas/MessagioEnvelope' }],
        properties: { type: { const: 'shop.order' }, typeVersion: { const: 2 } },
        required: ['typeVersion'],
      },
    });
    expect(doc.components.schemas['shop.order']).toEqual({
      type: 'object',
      title: 'ShopOrder',
      properties: { orderId: { type: 'string' }, totalCents: { type: 'integer' } },
      required: ['orderId', 'totalCents'],
    });
    expect(doc.components.schemas['shop.refund-requested']!.properties).toEqual({ orderId: { type: 'string' }, reason: { type: 'string', enum: ['damaged', 'late'] } });
    const envelope = doc.components.schemas.MessagioEnvelope!;
    expect(Object.keys(envelope.properties as object)).toEqual(['v', 'type', 'typeVersion', 'id', 'traceId', 'causationId', 'firedAt', 'listener']);
    expect(envelope.required).toEqual(['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener']);
  });

  it('includes MessagioFault, the message the library fires for a final failure', () => {
    expect(doc.components.messages['messagio.fault']).toMatchObject({ name: 'messagio.fault', title: 'MessagioFault', payload: { $ref: '#/components/schemas/messagio.fault' } });
    expect(doc.components.schemas['messagio.fault']!.required).toEqual(['type', 'messageId', 'traceId', 'listener', 'attempts', 'error', 'payload']);
  });

  it('refuses a route path a route could not have', () => {
    for (const path of ['', '/', 'docs/:id', 'a b', '*']) {
      expect(() => MessagioContractsModule.forRoot({ path })).toThrow(MessagioConfigurationError);
    }
    expect(() => MessagioContractsModule.forRoot({ path: 'a/:id' })).toThrow(
      `MessagioContractsModule.forRoot({ path }): the path must be a plain route such as 'asyncapi' or 'docs/messages', got "a/:id".`,
    );
  });

  it('gives each type’s standalone JSON Schema, and says so when a type is unknown', () => {
    const contracts = app.get(MessagioContracts);
    expect(contracts.schemaOf(ShopOrder)).toMatchObject({ 'x-messagio-type': 'shop.order', 'x-messagio-version': 2, required: ['orderId', 'totalCents'] });
    expect(Object.keys(contracts.schemas()).sort()).toEqual(['messagio.fault', 'shop.coupon-issued', 'shop.newsletter-sent', 'shop.order', 'shop.refund-requested']);
    expect(() => contracts.schemaOf('shop.nothing')).toThrow(MessagioConfigurationError);
    expect(CouponIssued.name).toBe('CouponIssued');
  });

  it('MessagioContracts.of(app) reads the same document from an app without the contracts module', async () => {
    const plain = await createApp({ transport: 'memory', queueName: 'shop', queues: { critical: {}, audit: {} }, routes: { 'shop.refund*': 'critical' }, messages: [NewsletterSent], providers: [ShopListeners] });
    try {
      const other = MessagioContracts.of(plain).asyncapi();
      expect({ ...other, info: doc.info }).toEqual(doc);
      // Without info given: the package.json of the working directory (here, this repository's).
      const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
      expect(other.info).toMatchObject({ title: pkg.name, version: pkg.version });
    } finally {
      await plain.close();
    }
  });
});
