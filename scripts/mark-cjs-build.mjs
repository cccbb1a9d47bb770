// Last step of `npm run build`: dist/cjs/ holds the CommonJS build (tsconfig.build.cjs.json),
// but the package is "type": "module", so Node (and TypeScript, for the .d.ts files there)
// would read its .js files as ESM. This package.json makes them CommonJS: the `require`
// conditions of package.json's `exports` point there, for CommonJS apps and CommonJS Jest.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
