// docs/asyncapi/orders.json is the orders sample's AsyncAPI document as the nestjs-messagio
// command makes it now (`npm run docs:asyncapi` writes it), and @asyncapi/parser accepts it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

describe('the sample’s AsyncAPI document (docs/asyncapi/orders.json)', () => {
  it('is up to date with the sample', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_OPTIONS;
    const check = spawnSync(process.execPath, ['scripts/sample-asyncapi.mjs'], { encoding: 'utf8', env });
    expect([check.status, check.stderr]).toEqual([0, '']);
    expect(check.stdout).toBe('docs/asyncapi/orders.json is up to date.\n');
  }, 120_000);

  it('passes @asyncapi/parser with no error and no warning, and describes the sample’s messages and listeners', async () => {
    const doc = JSON.parse(readFileSync('docs/asyncapi/orders.json', 'utf8')) as {
      operations: Record<string, { action: string }>;
      components: { messages: Record<string, { 'x-messagio-version': number; 'x-messagio-upcasts-from'?: number[] }> };
    };
    const diagnostics = await new Parser().validate(doc as never);
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    expect(Object.keys(doc.operations).filter((id) => doc.operations[id]!.action === 'receive')).toEqual([
      'receive.audit',
      'receive.email',
      'receive.payment',
      'receive.shipping',
      'receive.stock',
    ]);
    expect(doc.components.messages['orders.order-placed']).toMatchObject({ 'x-messagio-version': 2, 'x-messagio-upcasts-from': [1] });
  });
});
