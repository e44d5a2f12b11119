import { Logger, type DynamicModule, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadPlatformConfig, type Environment } from '../config/platform-config';
import { checkAppSettings, createHttpApp, type HttpAppOptions } from './create-http-app';
import { OPENAPI_UI_PATH } from './openapi/openapi-document-files';
import { collectStartGarbage } from '../runtime/start-garbage';
import { startTracing } from '../tracing/tracing';
import { warmUpOnThrowawayApp, type WarmUpRequests } from './throwaway-warm-up';

export interface StartHttpServerOptions extends HttpAppOptions {
  /**
   * The deployable's first requests, run once through a throwaway copy of the app before the real one starts (embedded
   * mode only; WARM_UP=off skips them): see warmUpOnThrowawayApp.
   */
  readonly warmUp?: WarmUpRequests;
}

/** A deployable's main: reads the configuration from the environment, builds the app and listens. */
export async function startHttpServer(
  rootModule: Type<unknown> | DynamicModule,
  options: StartHttpServerOptions,
  env: Environment = process.env,
): Promise<NestFastifyApplication> {
  const config = loadPlatformConfig(env);
  // Before the warm-up too: a bad setting stops the start at once, not after a throwaway app's requests.
  checkAppSettings(rootModule, config);
  const { warmUp, ...appOptions } = options;
  const warmedUp = warmUp && config.mode === 'embedded' && env['WARM_UP'] !== 'off' ? await warmUpOnThrowawayApp(rootModule, appOptions, warmUp) : undefined;
  // Exports spans only when OTEL_EXPORTER_OTLP_ENDPOINT is set; traceparents travel with events either way.
  const stopTracing = await startTracing(env, options.kafkaClientId ?? 'as2-partners');
  const app = await createHttpApp(rootModule, config, appOptions);
  app.getHttpAdapter().getInstance().addHook('onClose', async () => stopTracing());
  // What the start left is collected now, not in the first requests' time (collectStartGarbage).
  const collectedMs = collectStartGarbage();
  await app.listen(config.port, config.host);
  const events = config.eventStore === 'sqlite' ? `events in ${config.dataDir}` : 'events in EventStoreDB';
  const readModels = config.mode === 'embedded' ? `read models in ${config.dataDir}` : 'read models in MongoDB';
  if (warmedUp?.failure) new Logger('Bootstrap').warn(`The warm-up on a throwaway app stopped short (the first requests may be slower): ${warmedUp.failure}`);
  else if (warmedUp) new Logger('Bootstrap').debug(`The first requests run on a throwaway app in ${Math.round(warmedUp.ms)} ms`);
  new Logger('Bootstrap').debug(`The start's garbage collected in ${Math.round(collectedMs)} ms before listening`);
  new Logger('Bootstrap').log(`Listening on http://${config.host}:${config.port} (${config.mode} mode, ${events}, ${readModels}); API docs at /${OPENAPI_UI_PATH}`);
  return app;
}
