import { runCli } from './cli.js';

// The `nestjs-messagio` bin (package.json). Commands live in cli.ts.
void runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
