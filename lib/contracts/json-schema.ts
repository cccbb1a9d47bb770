/** A JSON Schema (draft 07, which AsyncAPI 3's schema format extends), as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** The JSON Schema draft message schemas are written in. */
export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';
