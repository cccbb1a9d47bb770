import type { Config } from 'jest';

// Nest 12 and @nestjs/bullmq 12 are ESM-only, so Jest runs in ESM mode
// (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`).
const config: Config = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // Sources import siblings as `./x.js` (nodenext); Jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // test/consumer/apps/ are templates of users' apps, run by test/consumer/run.sh in their own installs.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/'],
  modulePathIgnorePatterns: ['<rootDir>/test/consumer/apps/'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  setupFiles: ['reflect-metadata'],
  testTimeout: 30_000,
  maxWorkers: 2,
};

export default config;
