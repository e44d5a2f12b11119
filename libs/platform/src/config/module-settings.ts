import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import type { PlatformConfig } from './platform-config';

/**
 * Reads a module's own settings from the platform's config, throwing InvalidConfigurationError on a bad value. It
 * opens, writes and generates nothing: its providers read the same settings again when Nest builds them.
 */
export type SettingsCheck = (platform: PlatformConfig) => unknown;

const CHECKS = new WeakMap<object, readonly SettingsCheck[]>();

/**
 * Declares what a module reads from the environment, for checkModuleSettings to read before Nest builds any provider:
 * providers are built in no order the modules control, and one that generates a key file into DATA_DIR was built
 * before another that refused a bad setting.
 */
export function ReadsSettings(...checks: SettingsCheck[]): ClassDecorator {
  return (target) => {
    CHECKS.set(target, [...(CHECKS.get(target) ?? []), ...checks]);
  };
}

type ModuleEntry = Type<unknown> | DynamicModule | ForwardReference | Promise<DynamicModule> | undefined;

/** Runs the settings checks of `root` and of every module it imports, each once: a bad value throws before anything is opened. */
export function checkModuleSettings(root: Type<unknown> | DynamicModule, platform: PlatformConfig): void {
  const seen = new Set<object>();
  const visit = (entry: ModuleEntry): void => {
    // A Promise of a module is Nest's to await; undefined is an import cycle's not-yet-loaded class.
    if (entry === undefined || entry instanceof Promise) return;
    if ('forwardRef' in entry) return visit(entry.forwardRef() as ModuleEntry);
    const type: Type<unknown> = 'module' in entry ? entry.module : entry;
    if (!seen.has(type)) {
      seen.add(type);
      for (const check of CHECKS.get(type) ?? []) check(platform);
      for (const imported of (Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? []) as ModuleEntry[]) visit(imported);
    }
    if ('module' in entry) for (const imported of (entry.imports ?? []) as ModuleEntry[]) visit(imported);
  };
  visit(root);
}
