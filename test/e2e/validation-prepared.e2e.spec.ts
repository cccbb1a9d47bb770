import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsInt, IsString } from 'class-validator';
import { Messagio, MessagioPublisher, OnMessagio } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { TRANSPORTS } from './fixtures/transports.js';

// Issue 14: a subscribed class's validation is compiled at bootstrap (the
// registrar asks the codec), so that its first message pays no compiling.

class StockCounted extends Messagio {
  @IsString() sku!: string;
  @IsInt() count!: number;

  constructor(sku: string, count: number) {
    super();
    this.sku = sku;
    this.count = count;
  }
}

@Injectable()
class StockListener {
  @OnMessagio(StockCounted) onCounted() {}
}

describe.each(TRANSPORTS)('validation compiled at bootstrap (%s)', (transport) => {
  let app: TestingModule | undefined;
  let debug: jest.SpiedFunction<Logger['debug']>;
  const compiledLines = () => debug.mock.calls.filter(([line]) => String(line).startsWith('Validation of StockCounted'));

  beforeEach(() => {
    debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    debug.mockRestore();
  });

  it('compiles the check of a subscribed class at app.init(), before any message, and never again', async () => {
    app = await createApp({ transport, providers: [StockListener] });
    expect(compiledLines()).toEqual([['Validation of StockCounted: compiled check (2 properties)']]);

    await app.get(MessagioPublisher).fire(new StockCounted('sku-1', 3));
    await app.get(MessagioPublisher).fire(new StockCounted('sku-2', 4));
    expect(compiledLines()).toHaveLength(1);
  });

  it('compiles nothing when validation is off', async () => {
    app = await createApp({ transport, providers: [StockListener], validate: false });
    expect(compiledLines()).toEqual([]);
  });
});
