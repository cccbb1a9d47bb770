// The nestjs-messagio command as a user runs it: a real subprocess (`node dist/cli/main.js`,
// what package.json `bin` points at) on a fixture app built with tsc into .tmp/, which imports
// the package by its name. The fixture's Redis connection points at port 1: the command must
// boot it without Redis.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { SNAPSHOT_FORMAT, type ContractsSnapshot } from '../../lib/contracts/index.js';

const OUT = '.tmp/contracts-cli';
const ESM_APP = `${OUT}/esm/app.module.js`;
const CJS_APP = `${OUT}/cjs/app.module.js`;

function tsc(...args: string[]): void {
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/contracts/cli-app/tsconfig.json', ...args], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the fixture app failed:\n${build.stdout}${build.stderr}`);
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS; // Jest's --experimental-vm-modules is not for the command
  delete env.MESSAGIO_CONTRACTS_ONLY;
  const child = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function snapshotFile(name: string, snapshot: unknown): string {
  const file = `${OUT}/${name}.json`;
  writeFileSync(file, JSON.stringify(snapshot, null, 2));
  return file;
}

describe('nestjs-messagio contracts (the command)', () => {
  let snapshot: ContractsSnapshot;

  beforeAll(() => {
    rmSync(OUT, { recursive: true, force: true });
    tsc('--outDir', `${OUT}/esm`);
    // The same app compiled to CommonJS (a NestJS 11 app, say): it require()s the package's CommonJS build.
    tsc('--outDir', `${OUT}/cjs`, '--module', 'commonjs', '--moduleResolution', 'bundler');
    writeFileSync(`${OUT}/cjs/package.json`, '{ "type": "commonjs" }\n');
    // Installed as a user has it: node_modules/nestjs-messagio (the package.json above hides the repository's own name).
    mkdirSync(`${OUT}/cjs/node_modules`);
    symlinkSync(resolve('.'), `${OUT}/cjs/node_modules/nestjs-messagio`, 'dir');
  }, 120_000);

  it('export prints the app’s AsyncAPI document, which @asyncapi/parser accepts, and boots without Redis or worker', async () => {
    const run = cli('contracts', 'export', '--app', ESM_APP);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as { asyncapi: string; info: object; channels: Record<string, { address: string }> };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toMatchObject({ title: 'Shipping', version: '2.1.0' });
    expect(Object.values(doc.channels).map((c) => c.address)).toEqual(['shipping', 'audit']);
    const diagnostics = await new Parser().validate(doc as never);
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    // Log lines go to stderr (stdout is the document): here the startup report's.
    expect(run.stderr).toContain('WARN [Messagio] Startup report: listener "audit" takes deliveries from 2 queues');
    expect(run.stderr).not.toMatch(/ECONNREFUSED|Redis/);
  }, 60_000);

  it('export --out writes the document to a file', () => {
    const run = cli('contracts', 'export', '--app', ESM_APP, '--out', `${OUT}/asyncapi.json`);
    expect([run.status, run.stdout]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(`${OUT}/asyncapi.json`, 'utf8'))).toMatchObject({ asyncapi: '3.0.0', info: { title: 'Shipping' } });
  }, 60_000);

  it('snapshot writes each type’s version, upcasters and schema; check against it finds no change (exit 0)', () => {
    const file = `${OUT}/contracts.json`;
    const written = cli('contracts', 'snapshot', '--app', ESM_APP, '--out', file);
    expect(written.status).toBe(0);
    expect(written.stderr).toContain(`Wrote the contracts of 3 message types to ${file}`);
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as ContractsSnapshot;
    expect(snapshot.format).toBe(SNAPSHOT_FORMAT);
    expect(Object.keys(snapshot.types)).toEqual(['messagio.fault', 'shipping.parcel-lost', 'shipping.parcel-sent']);
    expect(snapshot.types['shipping.parcel-sent']).toMatchObject({ class: 'ParcelSent', version: 2, upcastsFrom: [1] });
    expect(snapshot.types['shipping.parcel-sent']!.schema).toMatchObject({ 'x-messagio-version': 2, required: ['orderId', 'carrier', 'parcels'] });

    const check = cli('contracts', 'check', '--app', ESM_APP, '--against', file);
    expect([check.status, check.stdout]).toEqual([0, 'No change against the snapshot.\n']);
  }, 60_000);

  it('check: compatible changes print their table and exit 0', () => {
    // The committed snapshot predates the optional `note`, and lists fewer carriers.
    const older = structuredClone(snapshot);
    const schema = older.types['shipping.parcel-sent']!.schema as { properties: Record<string, { enum?: string[] }> };
    delete schema.properties.note;
    schema.properties.carrier!.enum = ['dhl'];
    const check = cli('contracts', 'check', '--app', ESM_APP, '--against', snapshotFile('older', older));
    expect(check.status).toBe(0);
    expect(check.stdout.split('\n')).toEqual([
      'type                  change                                        verdict',
      '--------------------  --------------------------------------------  ----------',
      'shipping.parcel-sent  optional property note added                  compatible',
      'shipping.parcel-sent  property carrier: enum widened (added "ups")  compatible',
      '',
    ]);
  }, 60_000);

  it('check: a breaking change without a version bump exits 1 with the table; the same change across a bump with an upcaster passes', () => {
    // A snapshot where parcel-lost was still parcel-missing: a type renamed.
    const renamed = structuredClone(snapshot);
    renamed.types['shipping.parcel-missing'] = renamed.types['shipping.parcel-lost']!;
    delete renamed.types['shipping.parcel-lost'];
    const broken = cli('contracts', 'check', '--app', ESM_APP, '--against', snapshotFile('renamed', renamed));
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(
      'shipping.parcel-missing  type removed (renamed? new: shipping.parcel-lost): its stored messages have no class to be read as  breaking',
    );
    expect(broken.stdout).toContain('shipping.parcel-lost     type added');
    expect(broken.stderr).toContain('1 breaking change against');

    // Version 1 of parcel-sent named the carrier `courier`: the class is at version 2 with an upcaster from 1.
    const v1 = structuredClone(snapshot);
    const sent = v1.types['shipping.parcel-sent']!;
    const properties = (sent.schema as { properties: Record<string, unknown>; required: string[] }).properties;
    properties.courier = properties.carrier;
    delete properties.carrier;
    (sent.schema as { required: string[] }).required = ['orderId', 'courier', 'parcels'];
    Object.assign(sent, { version: 1, upcastsFrom: [] });
    const upcast = cli('contracts', 'check', '--app', ESM_APP, '--against', snapshotFile('v1', v1));
    expect(upcast.status).toBe(0);
    expect(upcast.stdout).toContain('version 1 → 2 (upcasters from 1)');
    expect(upcast.stdout).toMatch(/property courier removed +compatible with upcaster/);
    expect(upcast.stdout).toMatch(/required property carrier added +compatible with upcaster/);
  }, 60_000);

  it('reads a CommonJS app through the CommonJS build (one copy of the registries)', () => {
    const run = cli('contracts', 'snapshot', '--app', CJS_APP, '--out', `${OUT}/cjs-contracts.json`);
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(`${OUT}/cjs-contracts.json`, 'utf8'))).toEqual(snapshot);
  }, 60_000);

  it('exits 2 on usage and boot errors, saying what is wrong', () => {
    mkdirSync(`${OUT}/bad`, { recursive: true });
    writeFileSync(`${OUT}/bad/nothing.mjs`, 'export const notAModule = 1;\n');
    writeFileSync(`${OUT}/not-json.json`, '{ nope');
    const cases: Array<[string[], RegExp]> = [
      [['contracts'], /contracts needs a command: export, snapshot or check/],
      [['contracts', 'publish'], /unknown contracts command "publish"/],
      [['contracts', 'export', '--app'], /--app needs a file/],
      [['contracts', 'export', '--against', 'x.json'], /--against is for check/],
      [['contracts', 'export', '--app', `${OUT}/missing.js`], /MessagioConfigurationError: .*missing\.js does not exist: build the app first/],
      [['contracts', 'export', '--app', `${OUT}/bad/nothing.mjs`], /MessagioConfigurationError: .*exports no app module: export it as default, or as AppModule/],
      [['contracts', 'check', '--app', ESM_APP, '--against', `${OUT}/none.json`], /MessagioSnapshotError: Cannot read .*none\.json .*write a snapshot first/],
      [['contracts', 'check', '--app', ESM_APP, '--against', `${OUT}/not-json.json`], /MessagioSnapshotError: .*not-json\.json is not JSON/],
      [['contracts', 'check', '--app', ESM_APP, '--against', snapshotFile('foreign', { format: 'other' })], /MessagioSnapshotError: .*foreign\.json is not a contracts snapshot: its "format" is "other"/],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      expect([args.join(' '), run.status]).toEqual([args.join(' '), 2]);
      expect(run.stderr).toMatch(message);
    }
    const help = cli('contracts', '--help');
    expect([help.status, help.stdout]).toEqual([0, expect.stringMatching(/^Usage: nestjs-messagio contracts <command>/)]);
    // The bin's own usage lists both commands.
    const top = cli('--help');
    expect([top.status, top.stdout]).toEqual([0, expect.stringMatching(/^Usage: nestjs-messagio <command>[\s\S]*contracts[\s\S]*outbox/)]);
  }, 120_000);
});
