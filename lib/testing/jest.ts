// `import 'nestjs-messagio/testing/jest'` (in a test file or a Jest setup file):
// registers messagio's matchers with Jest's global `expect`, and declares
// their types for both `expect` flavours (`@jest/globals` and `@types/jest`).
import type {} from 'expect';
import { messagioMatchers, type MessagioMatchers } from './matchers.js';

interface ExpectWithExtend {
  extend(matchers: Record<string, unknown>): void;
}

const expect = (globalThis as { expect?: Partial<ExpectWithExtend> }).expect;
if (typeof expect?.extend !== 'function') {
  throw new Error(
    "nestjs-messagio/testing/jest registers Jest matchers and needs Jest's global `expect`: import it from a test " +
      'or a setupFilesAfterEnv file. Without injected globals, call expect.extend(messagioMatchers) yourself.',
  );
}
expect.extend(messagioMatchers);

declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Matchers<R extends void | Promise<void>, T = unknown> extends MessagioMatchers<R> {}
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> extends MessagioMatchers<R> {}
  }
}

export {};
