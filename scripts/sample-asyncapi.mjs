#!/usr/bin/env node
// The sample app's AsyncAPI document, docs/asyncapi/orders.json, made by the
// nestjs-messagio command from the sample itself (sample/contracts.module.ts):
//
//   node scripts/sample-asyncapi.mjs           checks that the file is up to date (exit 1 if not)
//   node scripts/sample-asyncapi.mjs --write   writes it (`npm run docs:asyncapi`)
//
// The sample is compiled with its own copy of lib/ (sample/tsconfig.json), and the
// command of that copy reads it: one copy of the registries, as in a user's app.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const DOC = 'docs/asyncapi/orders.json';
const OUT = '.tmp/sample-asyncapi';
const write = process.argv.includes('--write');

rmSync(OUT, { recursive: true, force: true });
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'sample/tsconfig.json', '--outDir', OUT], { encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`building the sample failed:\n${build.stdout}${build.stderr}`);
  process.exit(2);
}
const env = { ...process.env };
delete env.NODE_OPTIONS;
const run = spawnSync(process.execPath, [`${OUT}/lib/cli/main.js`, 'contracts', 'export', '--app', `${OUT}/sample/contracts.module.js`], { encoding: 'utf8', env });
if (run.status !== 0) {
  process.stderr.write(`nestjs-messagio contracts export failed (exit ${run.status}):\n${run.stderr}`);
  process.exit(2);
}
if (write) {
  writeFileSync(DOC, run.stdout);
  console.log(`Wrote ${DOC}.`);
} else if (!existsSync(DOC) || readFileSync(DOC, 'utf8') !== run.stdout) {
  console.error(`${DOC} is not the sample's document any more: run \`npm run docs:asyncapi\` and commit it.`);
  process.exit(1);
} else {
  console.log(`${DOC} is up to date.`);
}
