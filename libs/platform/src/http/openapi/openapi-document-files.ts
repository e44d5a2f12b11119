import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { onSendHookHandler } from 'fastify';
import { dump } from 'js-yaml';

/** Where the document's two files are served, under the UI's path. */
export const OPENAPI_UI_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';
export const OPENAPI_YAML_PATH = 'docs/openapi.yaml';

/**
 * The OpenAPI document, built on the first request for it (~0.3 s of CPU, not spent at every start), and its JSON and
 * YAML files as bytes made once each. @nestjs/swagger's own routes serialise the document at every request: ~8 ms for
 * the 0.8 MB of JSON, ~60 ms for the 1.6 MB of YAML, each answer a copy of its own held until the client takes it, so a
 * client without a token could hold the event loop for seconds and, pipelining to clients that read nothing, hold
 * gigabytes (150 connections, 4 GB, the process killed). One buffer is written to every client instead.
 */
export class OpenApiDocumentFiles {
  private document: OpenAPIObject | undefined;
  private json: Buffer | undefined;
  private yaml: Buffer | undefined;
  /** The UI's init script (the document embedded in it, 2 MB) as @nestjs/swagger made it, and its bytes. */
  private initScript: { readonly text: string; readonly bytes: Buffer } | undefined;

  constructor(private readonly build: () => OpenAPIObject) {}

  /** The document, built once. */
  readonly built = (): OpenAPIObject => (this.document ??= this.build());

  jsonBytes(): Buffer {
    return (this.json ??= Buffer.from(JSON.stringify(this.built())));
  }

  /** As @nestjs/swagger writes it (`skipInvalid`, `noRefs`). */
  yamlBytes(): Buffer {
    return (this.yaml ??= Buffer.from(dump(this.built(), { skipInvalid: true, noRefs: true })));
  }

  private initScriptBytes(text: string): Buffer {
    if (this.initScript?.text !== text) this.initScript = { text, bytes: Buffer.from(text) };
    return this.initScript.bytes;
  }

  /**
   * The UI at /docs (from @nestjs/swagger) and the two files beside it, on the app's Fastify. The UI's init script
   * embeds the whole document: the module keeps it as text, so each answer became a copy of its own held for its client;
   * it is written from one buffer too.
   */
  serveOn(app: NestFastifyApplication): void {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onRoute', (route) => {
      if (!route.url.endsWith('/swagger-ui-init.js')) return;
      const own: onSendHookHandler = (_request, _reply, payload, done) => done(null, typeof payload === 'string' ? this.initScriptBytes(payload) : payload);
      route.onSend = [...(Array.isArray(route.onSend) ? route.onSend : route.onSend ? [route.onSend] : []), own];
    });
    SwaggerModule.setup(OPENAPI_UI_PATH, app, this.built, { raw: false });
    fastify.get(`/${OPENAPI_JSON_PATH}`, (_request, reply) => reply.type('application/json; charset=utf-8').send(this.jsonBytes()));
    fastify.get(`/${OPENAPI_YAML_PATH}`, (_request, reply) => reply.type('text/yaml').send(this.yamlBytes()));
  }
}
