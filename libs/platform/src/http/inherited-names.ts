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
