import { JSON_SCHEMA_DRAFT, type JsonSchema } from './json-schema.js';
import type { KnownMessage } from './known-messages.js';
import { SchemaCatalog } from './schema-catalog.js';

/**
 * The JSON Schema of one message type's payload, on its own: the class's
 * schema at the root (`#`), the classes it nests under `definitions`, its wire
 * name and version as `x-messagio-type` and `x-messagio-version`.
 */
export function messageSchema(message: Pick<KnownMessage, 'name' | 'cls' | 'version'>): JsonSchema {
  let root = '';
  const catalog = new SchemaCatalog((name) => (name === root ? '#' : `#/definitions/${name}`));
  root = catalog.nameOf(message.cls, message.name);
  const { [root]: schema, ...definitions } = catalog.schemas();
  return {
    $schema: JSON_SCHEMA_DRAFT,
    'x-messagio-type': message.name,
    'x-messagio-version': message.version,
    ...schema,
    ...(Object.keys(definitions).length > 0 ? { definitions } : {}),
  };
}
