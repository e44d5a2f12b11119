import { createRequire } from 'node:module';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { ARRAY_MAX_SIZE, getMetadataStorage, ValidationTypes } from 'class-validator';
import { isRecord, nestedPropertiesOf } from './nested-object-shape';

/** class-transformer's `@Type()` records (its index does not export them; the module the Nest pipe's transform reads). */
const { defaultMetadataStorage } = createRequire(__filename)('class-transformer/cjs/storage') as { readonly defaultMetadataStorage: MetadataStorage };

/** A list longer than its DTO's `@ArrayMaxSize` allows: where (dotted, as a 422 names fields) and the decorator's words. */
export interface OverlongList {
  readonly field: string;
  readonly message: string;
}

interface ListRules {
  /** `@ArrayMaxSize` per property: the cap and its message. */
  readonly caps: ReadonlyMap<string, { readonly max: number; readonly message: string }>;
  /** `@ValidateNested` properties with their `@Type` class, and whether each list entry is one (`each`). */
  readonly nested: ReadonlyMap<string, { readonly type: new () => object; readonly each: boolean }>;
}

/** Decorators are applied when a class is defined: a DTO's rules are read once per class, not per request. */
const rulesByClass = new WeakMap<object, ListRules>();

function rulesOf(target: new () => object): ListRules {
  let rules = rulesByClass.get(target);
  if (rules) return rules;
  const caps = new Map<string, { max: number; message: string }>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    if (m.type !== ValidationTypes.CUSTOM_VALIDATION || m.name !== ARRAY_MAX_SIZE || typeof m.constraints?.[0] !== 'number') continue;
    const max = m.constraints[0] as number;
    caps.set(m.propertyName, { max, message: typeof m.message === 'string' ? m.message : `The ${m.propertyName} may hold at most ${max} entries` });
  }
  const nested = new Map<string, { type: new () => object; each: boolean }>();
  for (const [property, each] of nestedPropertiesOf(target)) {
    const type = defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction() as (new () => object) | undefined;
    if (typeof type === 'function') nested.set(property, { type, each });
  }
  rules = { caps, nested };
  rulesByClass.set(target, rules);
  return rules;
}

/**
 * The first list of a request body (before class-transformer and class-validator see it) longer than its DTO allows,
 * or null. class-validator checks a list's length and still validates every entry, each with its own messages: 150,000
 * empty records held the event loop for 9 s and answered a 93 MB 422. A body with such a list is refused on that alone.
 */
export function overlongList(body: unknown, dto: new () => object, prefix = ''): OverlongList | null {
  if (!isRecord(body)) return null;
  const { caps, nested } = rulesOf(dto);
  for (const [property, { max, message }] of caps) {
    const value = body[property];
    if (Array.isArray(value) && value.length > max) return { field: `${prefix}${property}`, message };
  }
  for (const [property, { type, each }] of nested) {
    const value = body[property];
    if (!each) {
      const inner = overlongList(value, type, `${prefix}${property}.`);
      if (inner) return inner;
      continue;
    }
    if (!Array.isArray(value)) continue;
    for (let index = 0; index < value.length; index += 1) {
      const inner = overlongList(value[index], type, `${prefix}${property}.${index}.`);
      if (inner) return inner;
    }
  }
  return null;
}
