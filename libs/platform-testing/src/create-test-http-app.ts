import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openInfrastructure } from '@as2-partners/composition';
import { createHttpApp, type HttpAppOptions, type PlatformConfig } from '@as2-partners/platform';

/** An initialised HTTP app on the adapters the config's mode calls for, as a deployable composes it, without process signal listeners. */
export function createTestHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  config: PlatformConfig,
  options: Omit<HttpAppOptions, 'openInfrastructure' | 'shutdownHooks'> = {},
): Promise<NestFastifyApplication> {
  return createHttpApp(rootModule, config, { ...options, openInfrastructure, shutdownHooks: false });
}
