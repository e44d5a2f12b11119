import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openInfrastructure } from '@as2-partners/composition';
import { createHttpApp, type HttpAppOptions, type OpenInfrastructure, type PlatformConfig } from '@as2-partners/platform';
import { withConsumerGroupNamespace } from './consumer-group-namespace';

export interface TestHttpAppOptions extends Omit<HttpAppOptions, 'openInfrastructure' | 'shutdownHooks'> {
  /** Prefixes the app's consumer groups: distributed suites run side by side on one broker and must not share one. */
  readonly consumerGroupNamespace?: string;
}

/** An initialised HTTP app on the adapters the config's mode calls for, as a deployable composes it, without process signal listeners. */
export function createTestHttpApp(rootModule: Type<unknown> | DynamicModule, config: PlatformConfig, options: TestHttpAppOptions = {}): Promise<NestFastifyApplication> {
  const { consumerGroupNamespace, ...appOptions } = options;
  const open: OpenInfrastructure = consumerGroupNamespace
    ? async (platformConfig, kafkaClientId, purpose) => {
        const connections = await openInfrastructure(platformConfig, kafkaClientId, purpose);
        return { ...connections, bus: withConsumerGroupNamespace(connections.bus, consumerGroupNamespace) };
      }
    : openInfrastructure;
  return createHttpApp(rootModule, config, { ...appOptions, openInfrastructure: open, shutdownHooks: false });
}
