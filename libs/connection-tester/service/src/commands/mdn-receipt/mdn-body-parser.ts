import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../../config/connection-tester.config';

/** MDN media types (RFC 3462, RFC 1847): read as raw bytes, since a MIC depends on them exactly. */
const MDN_MEDIA_TYPE = /^multipart\/(report|signed)(\s*;.*)?$/i;

/** Lets the receipt route read MDNs: the server is otherwise JSON-only. Bounded like a partner's answer. */
@Injectable()
export class MdnBodyParser implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONNECTION_TESTER_CONFIG) private readonly config: ConnectionTesterConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as
      | { hasContentTypeParser(type: RegExp): boolean; addContentTypeParser(type: RegExp, options: object, parser: (req: unknown, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => void): void }
      | undefined;
    // One-shot commands (read-model rebuilds) have no HTTP server.
    if (!fastify?.addContentTypeParser || fastify.hasContentTypeParser(MDN_MEDIA_TYPE)) return;
    fastify.addContentTypeParser(MDN_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: this.config.maxResponseBytes }, (_req, body, done) => done(null, body));
  }
}
