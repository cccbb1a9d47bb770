// #region config
import type { Config } from 'jest';

// nestjs-messagio, like NestJS 12, is ESM: Jest runs in ESM mode
// (NODE_OPTIONS=--experimental-vm-modules jest), TypeScript through ts-jest.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' }, // `./x.js` imports → the .ts file
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  setupFiles: ['reflect-metadata'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'], // import 'nestjs-messagio/testing/jest';
};

export default config;
// #endregion
