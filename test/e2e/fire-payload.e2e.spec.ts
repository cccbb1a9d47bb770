import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsOptional } from 'class-validator';
import {
  Messagio,
  MessagioContext,
  MessagioInvalidMessageError,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, transportOf } from './fixtures/transports.js';

/** A message whose payload the test fills with what JSON cannot hold. */
@MessagioType('ledger.entry')
class Entry extends Messagio {
  @IsOptional() note?: unknown;
  @IsOptional() amount?: unknown;
  @IsOptional() parent?: unknown;
  @IsOptional() lines?: unknown;
}

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(Entry, { id: 'ledger' }) ledger(msg: Entry, ctx: MessagioContext) {
    this.recorder.record('ledger', msg, ctx);
  }
}

const entry = (fill: (e: Entry) => void): Entry => {
  const e = new Entry();
  e.note = 'ok';
  fill(e);
  return e;
};

const unserialisable: Array<[string, () => Entry, string, string]> = [
  ['a BigInt', () => entry((e) => (e.amount = 10n)), 'amount', 'is a BigInt, which JSON cannot hold (convert it to a string or a number)'],
  ['a nested BigInt', () => entry((e) => (e.lines = [{ qty: 1 }, { qty: 2n }])), 'lines.1.qty', 'is a BigInt, which JSON cannot hold (convert it to a string or a number)'],
  ['a cycle to the message', () => entry((e) => (e.parent = e)), 'parent', 'refers back to the message itself: a cycle, which JSON cannot hold'],
  [
    'a nested cycle',
    () =>
      entry((e) => {
        const node: Record<string, unknown> = { name: 'a', child: { name: 'b' } };
        (node.child as Record<string, unknown>).up = node;
        e.parent = node;
      }),
    'parent.child.up',
    'refers back to "parent": a cycle, which JSON cannot hold',
  ],
];

describe.each(TRANSPORTS)('fire() with a payload JSON cannot hold (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it.each(unserialisable)('a payload with %s rejects with MessagioInvalidMessageError naming the property; nothing is stored', async (_label, make, property, reason) => {
    app = await createApp({ transport, providers: [Listeners] });
    const publisher = app.get(MessagioPublisher);
    const enqueue = jest.spyOn(transportOf(app), 'enqueue');
    for (const attempt of [
      () => publisher.fire(make()),
      () => publisher.fire(make(), { sync: true }),
      () => make().fire(),
      () => publisher.fireMany([entry(() => undefined), make()]),
    ]) {
      const error = (await attempt().catch((e: unknown) => e)) as MessagioInvalidMessageError;
      expect(error).toBeInstanceOf(MessagioInvalidMessageError);
      expect([error.messageType, error.property, error.reason]).toEqual(['ledger.entry', property, reason]);
      expect(error.message).toBe(`ledger.entry cannot be fired: property "${property}" ${reason}. Nothing was stored.`);
      expect(error.cause).toBeInstanceOf(Error); // the original TypeError / RangeError
    }
    expect(enqueue).not.toHaveBeenCalled();
    expect(app.get(Recorder).calls).toEqual([]);
  });
});
