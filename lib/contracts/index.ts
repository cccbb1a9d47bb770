// The `nestjs-messagio/contracts` entry: JSON Schemas, the AsyncAPI document and
// the compatibility check of an app's messages. Kept apart from the main entry so
// that apps which do not use it never load class-validator-jsonschema.
export { MessagioContractsModule } from './messagio-contracts.module.js';
export { MessagioContracts } from './messagio-contracts.js';
export { MESSAGIO_CONTRACTS_OPTIONS, type MessagioContractsOptions } from './contracts.options.js';
export type { AsyncApiDocument, AsyncApiInfo } from './asyncapi-document.js';
export type { KnownMessage } from './known-messages.js';
export type { JsonSchema } from './json-schema.js';
export { SNAPSHOT_FORMAT, readSnapshot, type ContractsSnapshot, type TypeContract } from './contracts-snapshot.js';
export { compareContracts, type ContractChange, type ContractVerdict } from './compatibility.js';
export { changesTable } from './changes-table.js';
export { UNEXPRESSED } from './schema-converters.js';
