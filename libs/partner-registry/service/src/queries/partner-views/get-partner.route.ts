import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { partnerNotFound } from '@as2-partners/partner-registry-domain';
import {
  AfterStart,
  type Caller,
  CORRELATION_ID_HEADER,
  correlationIdFromHeader,
  DELETED_TENANTS,
  type DeletedTenants,
  HotPathRoutes,
  INFRASTRUCTURE,
  type InfrastructureConnections,
  JwtVerifier,
  viewReadingErrorReplier,
  DELETED_TENANT_REFUSAL,
  logRefusedCaller,
  tenantDeletedError,
} from '@as2-partners/platform';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { PartnerDetailsCache } from './partner-details.cache';
import { PartnerDetailsWarmer } from './partner-details.warmer';

const CALLER = Symbol('partnerReader');
type ReadingRequest = IncomingMessage & { [CALLER]?: Caller & { readonly tenant: string } };

/**
 * GET /v1/partners/{id} as a plain Fastify route beside Nest (the Nest pipeline cost more than the read): it takes a
 * request whose bearer token the platform's verifier already verified and remembers, with a reader role and a tenant
 * claim, and no CORS `Origin`; the Nest route (GetPartnerController, which keeps the OpenAPI operation) answers every
 * other (first sight of a token, 401, 403, TENANT_REQUIRED, CORS) exactly as before. Both answer from PartnerDetailsQuery,
 * so the bodies are the same; this one keeps them as JSON text (PartnerDetailsCache).
 */
@Injectable()
export class GetPartnerRoute implements OnModuleInit {
  /** A not-found while the views may have lost writes is 503 STORE_UNAVAILABLE, as the Nest route's (HttpErrorFilter). */
  private readonly replyWithError: ReturnType<typeof viewReadingErrorReplier>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(JwtVerifier) private readonly verifier: JwtVerifier,
    @Inject(DELETED_TENANTS) private readonly deleted: DeletedTenants,
    @Inject(PartnerDetailsCache) private readonly details: PartnerDetailsCache,
    @Inject(PartnerDetailsWarmer) private readonly warmer: PartnerDetailsWarmer,
    @Optional() private readonly hotPath?: HotPathRoutes,
    @Optional() private readonly afterStart?: AfterStart,
    @Optional() @Inject(INFRASTRUCTURE) infrastructure?: InfrastructureConnections,
  ) {
    this.replyWithError = viewReadingErrorReplier(infrastructure);
  }

  onModuleInit(): void {
    // One-shot commands (read-model rebuilds) run without an HTTP server.
    if (!this.adapterHost.httpAdapter || !this.hotPath) return;
    // The serving process builds every partner's body in the background once started (first reads then find it pre-joined).
    this.afterStart?.register('pre-joining partner details', () => this.warmer.start());
    this.hotPath.route({ method: 'GET', url: '/v1/partners/:id', handler: (request, reply) => this.answer(request, reply) }, { when: (request) => this.takes(request), inProcess: true });
  }

  /** Synchronous: the caller from the verifier's memory, or the request is the Nest route's. */
  private takes(request: ReadingRequest): boolean {
    const caller = this.verifier.rememberedCallerOf(request.headers, TENANT_READERS);
    if (caller === undefined || caller.tenant === null) return false;
    request[CALLER] = caller as Caller & { readonly tenant: string };
    return true;
  }

  private answer(request: FastifyRequest, reply: FastifyReply): void {
    const caller = (request.raw as ReadingRequest)[CALLER] as Caller & { readonly tenant: string };
    const id = (request.params as { id: string }).id;
    void reply.header(CORRELATION_ID_HEADER, correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]));
    const verdict = this.deleted.knownVerdict?.(caller.account, caller.tenant);
    if (verdict === false) {
      const json = this.details.current(caller.account, caller.tenant, id);
      if (json !== undefined) return this.send(reply, json);
    }
    void this.read(request, reply, caller, id, verdict);
  }

  private async read(request: FastifyRequest, reply: FastifyReply, caller: Caller & { readonly tenant: string }, id: string, verdict: boolean | undefined): Promise<void> {
    try {
      if (verdict ?? (await this.deleted.isDeleted(caller.account, caller.tenant))) {
        logRefusedCaller(DELETED_TENANT_REFUSAL, caller, request);
        throw tenantDeletedError(caller.tenant);
      }
      const json = await this.details.json(caller.account, caller.tenant, id);
      if (json === null) throw partnerNotFound(id);
      this.send(reply, json);
    } catch (error) {
      this.replyWithError(error, request, reply);
    }
  }

  private send(reply: FastifyReply, json: string): void {
    void reply.type('application/json; charset=utf-8').send(json);
  }
}
