// class-transformer keeps its decorators' metadata in this module (the one its
// main entry uses) but ships no typings beside it; they are under types/.
// Read only, by flat-messages.ts and unconstructed-target.ts.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}
