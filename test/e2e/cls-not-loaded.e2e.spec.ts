import { spawnSync } from 'node:child_process';

// Issue 14 (in-process paths): loading nestjs-cls sets up an AsyncLocalStorage
// at import, which turns on Node's promise hooks for the whole process: every
// promise then pays them. An app without ClsModule must not load it. Checked
// in a fresh Node process (Jest's module registry is not Node's), on the built
// package, which the test setup builds.

// Decorators need a compiler: the same app written with the decorator calls spelled out.
const SCRIPT = `
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Messagio, MessagioModule, MessagioPublisher, OnMessagio } from './dist/index.js';

class Pinged extends Messagio {}
let heard = 0;
class Pong { on() { heard++; } }
Injectable()(Pong);
OnMessagio(Pinged)(Pong.prototype, 'on', Object.getOwnPropertyDescriptor(Pong.prototype, 'on'));
class AppModule {}
Module({ imports: [MessagioModule.forRoot({ transport: 'memory' })], providers: [Pong] })(AppModule);

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
await app.get(MessagioPublisher).fire(new Pinged());
for (let i = 0; i < 100 && heard === 0; i++) await new Promise((r) => setTimeout(r, 10));
await app.close();
const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/nestjs-cls/'));
console.log('RESULT ' + JSON.stringify({ heard, loaded }));
`;

describe('an app without ClsModule', () => {
  it('never loads nestjs-cls (its import turns on promise hooks for the whole process)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_OPTIONS; // Jest's --experimental-vm-modules is not for the app
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', env });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`the app exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
    // The app works (its listener heard the message), and nestjs-cls was never loaded.
    expect(JSON.parse(line.slice('RESULT '.length))).toEqual({ heard: 1, loaded: false });
  });
});
