import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import { classSchema } from './class-schema.js';
import type { JsonSchema } from './json-schema.js';
import { schemaConverters } from './schema-converters.js';

type AnyClass = abstract new (...args: never[]) => unknown;

/**
 * The schemas of a set of classes, one component each under a unique name (a
 * message's wire name, a nested class's name; `OrderLine_2` for a second class
 * of one name): classes refer to each other by `$ref`, so nesting, sharing and
 * cycles cost nothing. `refOf` turns a component name into the pointer the
 * document uses (`#/components/schemas/…`, `#/definitions/…`).
 */
export class SchemaCatalog {
  private readonly names = new Map<AnyClass, string>();
  private readonly taken = new Set<string>();
  private readonly generated = new Map<string, JsonSchema>();
  private readonly converters: ISchemaConverters;

  constructor(private readonly refOf: (name: string) => string) {
    this.converters = schemaConverters((cls) => this.refTo(cls));
  }

  /** The component name of `cls`: `preferred` (made a valid component key) or a free variant of it; the first one given stays. */
  nameOf(cls: AnyClass, preferred: string = cls.name || 'Anonymous'): string {
    const known = this.names.get(cls);
    if (known !== undefined) return known;
    const base = preferred.replace(/[^a-zA-Z0-9.\-_]/g, '_') || 'Anonymous';
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.names.set(cls, name);
    this.taken.add(name);
    return name;
  }

  /** Keeps `name` for a component that is not a class's (the envelope's). */
  reserve(name: string): string {
    this.taken.add(name);
    return name;
  }

  refTo(cls: AnyClass): JsonSchema {
    return { $ref: this.refOf(this.nameOf(cls)) };
  }

  /** Every named class's schema, with those of the classes they nest (named on the way), in naming order. */
  schemas(): Record<string, JsonSchema> {
    // A Map's iteration also visits the entries added while it runs: nested classes named by the converters.
    for (const [cls, name] of this.names) {
      if (!this.generated.has(name)) this.generated.set(name, classSchema(cls, this.converters));
    }
    return Object.fromEntries(this.generated);
  }
}
