// Jest in ESM mode, for an app with "type": "module" (NestJS 12 is ESM-only).
// Run it with `node --experimental-vm-modules node_modules/jest/bin/jest.js`.
export default {
  testEnvironment: 'node',
  rootDir: '.',
  testRegex: '.*\\.spec\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // ESM sources import siblings as './x.js'; Jest must load the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
};
