// The compatibility rules of `contracts check`, one by one: a pure function of two
// snapshots, each built from real message classes (their JSON Schemas), as the CLI builds them.
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { changesTable, compareContracts, SNAPSHOT_FORMAT, type ContractChange, type ContractsSnapshot } from '../../lib/contracts/index.js';
import { messageSchema } from '../../lib/contracts/message-schema.js';
import { Messagio, type MessagioClass } from '../../lib/index.js';

/** A snapshot of one type (or none), as `contracts snapshot` writes it. */
function snapshot(types: Record<string, { cls: MessagioClass; version?: number; upcastsFrom?: number[] }>): ContractsSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    types: Object.fromEntries(
      Object.entries(types).map(([name, { cls, version = 1, upcastsFrom = [] }]) => [
        name,
        { class: cls.name, version, upcastsFrom, schema: messageSchema({ name, cls, version }) },
      ]),
    ),
  };
}

function compare(before: MessagioClass, after: MessagioClass, versions: { before?: number; after?: number; upcastsFrom?: number[] } = {}): ContractChange[] {
  return compareContracts(
    snapshot({ 'shop.order': { cls: before, version: versions.before } }),
    snapshot({ 'shop.order': { cls: after, version: versions.after, upcastsFrom: versions.upcastsFrom } }),
  );
}

class Base extends Messagio {
  @IsString() orderId!: string;
  @IsIn(['web', 'store']) channel!: string;
}

describe('compareContracts: each rule', () => {
  it('no change: nothing to report', () => {
    class Same extends Messagio {
      @IsString() orderId!: string;
      @IsIn(['web', 'store']) channel!: string;
    }
    expect(compare(Base, Same)).toEqual([]);
  });

  it('a required property added is breaking (jobs already stored lack it)', () => {
    class WithRequired extends Base {
      @IsString() coupon!: string;
    }
    expect(compare(Base, WithRequired)).toEqual([
      { type: 'shop.order', change: 'required property coupon added (raise the version and add an upcaster)', verdict: 'breaking' },
    ]);
  });

  it('an optional property added is compatible', () => {
    class WithOptional extends Base {
      @IsOptional() @IsString() coupon?: string;
    }
    expect(compare(Base, WithOptional)).toEqual([{ type: 'shop.order', change: 'optional property coupon added', verdict: 'compatible' }]);
  });

  it('a property removed is breaking', () => {
    class Without extends Messagio {
      @IsString() orderId!: string;
    }
    expect(compare(Base, Without)).toEqual([
      { type: 'shop.order', change: 'property channel removed (raise the version and add an upcaster)', verdict: 'breaking' },
    ]);
  });

  it('a property retyped is breaking', () => {
    class Retyped extends Messagio {
      @IsInt() orderId!: number;
      @IsIn(['web', 'store']) channel!: string;
    }
    expect(compare(Base, Retyped)).toEqual([
      { type: 'shop.order', change: 'property orderId retyped: string → integer (raise the version and add an upcaster)', verdict: 'breaking' },
    ]);
  });

  it('an enum narrowed is breaking', () => {
    class Narrowed extends Messagio {
      @IsString() orderId!: string;
      @IsIn(['web']) channel!: string;
    }
    expect(compare(Base, Narrowed)).toEqual([
      { type: 'shop.order', change: 'property channel: enum narrowed (removed "store") (raise the version and add an upcaster)', verdict: 'breaking' },
    ]);
  });

  it('an enum widened is compatible', () => {
    class Widened extends Messagio {
      @IsString() orderId!: string;
      @IsIn(['web', 'store', 'phone']) channel!: string;
    }
    expect(compare(Base, Widened)).toEqual([{ type: 'shop.order', change: 'property channel: enum widened (added "phone")', verdict: 'compatible' }]);
  });

  it('a type renamed (one missing, a new one present) is breaking; the new one alone would be compatible', () => {
    const changes = compareContracts(snapshot({ 'shop.order': { cls: Base } }), snapshot({ 'shop.order-placed': { cls: Base } }));
    expect(changes).toEqual([
      { type: 'shop.order', change: 'type removed (renamed? new: shop.order-placed): its stored messages have no class to be read as', verdict: 'breaking' },
      { type: 'shop.order-placed', change: 'type added', verdict: 'compatible' },
    ]);
  });

  it('a breaking change with a version bump and an upcaster from each older version is compatible with upcaster', () => {
    class V2 extends Messagio {
      @IsString() orderId!: string;
      @IsIn(['web', 'store']) salesChannel!: string;
    }
    expect(compare(Base, V2, { before: 1, after: 2, upcastsFrom: [1] })).toEqual([
      { type: 'shop.order', change: 'version 1 → 2 (upcasters from 1)', verdict: 'compatible' },
      { type: 'shop.order', change: 'property channel removed', verdict: 'compatible with upcaster' },
      { type: 'shop.order', change: 'required property salesChannel added', verdict: 'compatible with upcaster' },
    ]);
  });

  it('a version bump without an upcaster from the snapshot’s version leaves a breaking change breaking', () => {
    class V3 extends Messagio {
      @IsInt() orderId!: number;
      @IsIn(['web', 'store']) channel!: string;
    }
    // The snapshot was at 1; the class jumped to 3 with an upcaster from 2 only.
    expect(compare(Base, V3, { before: 1, after: 3, upcastsFrom: [2] })).toEqual([
      { type: 'shop.order', change: 'version 1 → 3 (no upcaster from 1)', verdict: 'breaking' },
      { type: 'shop.order', change: 'property orderId retyped: string → integer', verdict: 'breaking' },
    ]);
  });

  it('a version lowered is breaking', () => {
    expect(compare(Base, Base, { before: 2, after: 1 })).toEqual([{ type: 'shop.order', change: 'version lowered from 2 to 1', verdict: 'breaking' }]);
  });

  it('made optional (null allowed) is compatible; made required is breaking', () => {
    class OptionalChannel extends Messagio {
      @IsString() orderId!: string;
      @IsOptional() @IsIn(['web', 'store']) channel?: string;
    }
    expect(compare(Base, OptionalChannel)).toEqual([
      { type: 'shop.order', change: 'property channel made optional', verdict: 'compatible' },
      { type: 'shop.order', change: 'property channel widened: string → string|null', verdict: 'compatible' },
    ]);
    expect(compare(OptionalChannel, Base)).toEqual([
      { type: 'shop.order', change: 'property channel made required (raise the version and add an upcaster)', verdict: 'breaking' },
      { type: 'shop.order', change: 'property channel retyped: string|null → string (raise the version and add an upcaster)', verdict: 'breaking' },
    ]);
  });

  it('follows nested classes and arrays: a change deep in a line is named by its path', () => {
    class LineV1 {
      @IsString() sku!: string;
    }
    class LineV2 {
      @IsInt() sku!: number;
    }
    class OrderV1 extends Messagio {
      @ValidateNested({ each: true }) @Type(() => LineV1) lines!: LineV1[];
    }
    class OrderV2 extends Messagio {
      @ValidateNested({ each: true }) @Type(() => LineV2) lines!: LineV2[];
    }
    expect(compare(OrderV1, OrderV2)).toEqual([
      { type: 'shop.order', change: 'property lines[].sku retyped: string → integer (raise the version and add an upcaster)', verdict: 'breaking' },
    ]);
  });

  it('stops at self-referring classes', () => {
    class Node1 extends Messagio {
      @IsString() name!: string;
      @IsOptional() @ValidateNested() @Type(() => Node1) parent?: Node1;
    }
    class Node2 extends Messagio {
      @IsString() name!: string;
      @IsOptional() @ValidateNested() @Type(() => Node2) parent?: Node2;
      @IsOptional() @IsString() note?: string;
    }
    expect(compare(Node1, Node2)).toEqual([{ type: 'shop.order', change: 'optional property note added', verdict: 'compatible' }]);
  });
});

describe('changesTable', () => {
  it('prints one row per change: type, change, verdict, in aligned columns', () => {
    const table = changesTable([
      { type: 'shop.order', change: 'optional property coupon added', verdict: 'compatible' },
      { type: 'shop.refund', change: 'type removed', verdict: 'breaking' },
    ]);
    expect(table.split('\n')).toEqual([
      'type         change                          verdict',
      '-----------  ------------------------------  ----------',
      'shop.order   optional property coupon added  compatible',
      'shop.refund  type removed                    breaking',
    ]);
    expect(changesTable([])).toBe('No change against the snapshot.');
  });
});
