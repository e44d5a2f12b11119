import { getMetadataStorage } from 'class-validator';

/** Decorators are applied when a class is defined: a DTO's declared names are read once per class. */
const declaredNames = new WeakMap<object, ReadonlySet<string>>();

function declaredNamesOf(target: object): ReadonlySet<string> {
  let names = declaredNames.get(target);
  if (!names) {
    names = new Set(getMetadataStorage().getTargetValidationMetadatas(target as new () => object, '', true, false).map((m) => m.propertyName));
    declaredNames.set(target, names);
  }
  return names;
}

/**
 * The first field of `value` named as a property every object inherits (`constructor`, `toString`, `__proto__`…) that
 * the DTO does not declare, or null. class-transformer leaves such fields out of the DTO without a word, so the
 * whitelist never sees them: `?toString=1` was answered as if not sent, where `?foo=1` is a 422.
 */
export function undeclaredInheritedName(value: object, target: object): string | null {
  for (const key of Object.keys(value)) if ((key === '__proto__' || key in Object.prototype) && !declaredNamesOf(target).has(key)) return key;
  return null;
}

/**
 * The dotted path of the first such field in an object nested in the body (`mdn.toString`), found by walking the body
 * beside the DTO class-transformer made of it: its nested objects are instances of their declared classes, which left
 * the field out as the body's own DTO would have. Null when there is none.
 */
export function undeclaredNestedInheritedName(body: object, dto: object): string | null {
  const pending: { readonly raw: unknown; readonly made: unknown; readonly path: string }[] = [];
  const pushChildren = (raw: Record<string, unknown>, made: Record<string, unknown>, path: string) => {
    for (const key of Object.keys(raw)) {
      const child = made[key];
      if (typeof child === 'object' && child !== null) pending.push({ raw: raw[key], made: child, path: path ? `${path}.${key}` : key });
    }
  };
  pushChildren(body as Record<string, unknown>, dto as Record<string, unknown>, '');
  while (pending.length > 0) {
    const { raw, made, path } = pending.pop() as { raw: unknown; made: object; path: string };
    if (typeof raw !== 'object' || raw === null) continue;
    if (Array.isArray(raw)) {
      if (Array.isArray(made)) raw.forEach((item, i) => typeof made[i] === 'object' && made[i] !== null && pending.push({ raw: item, made: made[i], path: `${path}.${i}` }));
      continue;
    }
    // Only objects made from a declared class: a free-form field (a plain object) declares no names.
    if (Object.getPrototypeOf(made) === Object.prototype) continue;
    const field = undeclaredInheritedName(raw, made.constructor);
    if (field !== null) return `${path}.${field}`;
    pushChildren(raw as Record<string, unknown>, made as Record<string, unknown>, path);
  }
  return null;
}
