import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** True: class-validator would report nothing for this object; false: it may report something (ask it). */
export type PassCheck = (object: object) => boolean;

interface CustomCheck {
  readonly metadata: ValidationMetadata;
  readonly validators: readonly ValidatorConstraintInterface[];
}

interface PropertyCheck {
  readonly name: string;
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  readonly customs: readonly CustomCheck[];
  readonly nested: boolean;
}

/** Read once per class: decorators are applied when a class is defined. null: a class this check does not model. */
const compiled = new Map<object, PassCheck | null>();

const HANDLED = new Set<string>([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.NESTED_VALIDATION, ValidationTypes.WHITELIST]);

const isCollection = (value: unknown): boolean => Array.isArray(value) || value instanceof Set || value instanceof Map;

/** A constraint's answer that class-validator counts as passed at once: truthy and not a promise (those are awaited). */
const passes = (answer: unknown): boolean => Boolean(answer) && typeof (answer as { then?: unknown }).then !== 'function';

/**
 * class-validator's metadata of a DTO class (without groups, as the request pipe validates) turned into one check of a
 * whole object that says only whether every constraint passes, with no errors built and no metadata filtered per
 * request. It runs the very constraint instances class-validator runs, with the same arguments; anything it does not
 * model (groups, schemas, promises, async constraints, a list where a nested object is validated) answers false, and
 * the caller then asks class-validator, so a refused body's errors are class-validator's own.
 */
export function passCheckOf(target: object): PassCheck | null {
  if (compiled.has(target)) return compiled.get(target) ?? null;
  compiled.set(target, null);
  const check = compile(target);
  compiled.set(target, check);
  return check;
}

function compile(target: object): PassCheck | null {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(target as new () => object, undefined as unknown as string, false, false, undefined);
  // No metadata: class-validator reports an unknown value.
  if (metadatas.length === 0) return null;
  if (metadatas.some((m) => !HANDLED.has(m.type) || typeof m.target === 'string' || m.always !== undefined || (m.groups?.length ?? 0) > 0)) return null;
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadatas) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  const properties: PropertyCheck[] = [];
  for (const [name, group] of byProperty) {
    const customs: CustomCheck[] = [];
    for (const m of group.filter((g) => g.type === ValidationTypes.IS_DEFINED || g.type === ValidationTypes.CUSTOM_VALIDATION)) {
      const constraints = storage.getTargetValidatorConstraints(m.constraintCls);
      if (constraints.some((c) => c.async)) return null;
      customs.push({ metadata: m, validators: constraints.map((c) => c.instance) });
    }
    properties.push({
      name,
      conditions: group.filter((g) => g.type === ValidationTypes.CONDITIONAL_VALIDATION).map((g) => g.constraints[0] as (object: object, value: unknown) => boolean),
      customs,
      nested: group.some((g) => g.type === ValidationTypes.NESTED_VALIDATION),
    });
  }
  const allowed = new Set(byProperty.keys());
  const targetName = (target as { name?: string }).name;

  return (object) => {
    // whitelist + forbidNonWhitelisted: a field no decorator names is an error
    for (const key of Object.keys(object)) if (!allowed.has(key)) return false;
    for (const property of properties) {
      const value = (object as Record<string, unknown>)[property.name];
      if (value instanceof Promise) return false;
      let applies = true;
      for (const condition of property.conditions) applies = condition(object, value) && applies;
      if (!applies) continue;
      for (const { metadata, validators } of property.customs) {
        const args: ValidationArguments = { targetName: object.constructor ? object.constructor.name : targetName ?? '', property: metadata.propertyName, object, value, constraints: metadata.constraints };
        for (const validator of validators) {
          // `each` over a list: every item passes; a Set or Map (never parsed from JSON) is left to class-validator
          if (metadata.each && isCollection(value)) {
            if (!Array.isArray(value)) return false;
            for (const item of value) if (!passes(validator.validate(item, args))) return false;
          } else if (!passes(validator.validate(value, args))) return false;
        }
      }
      if (property.nested && value !== undefined) {
        if (isCollection(value) || !(value instanceof Object)) return false;
        const inner = passCheckOf(value.constructor);
        if (!inner || !inner(value)) return false;
      }
    }
    return true;
  };
}
