import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type Caller,
  CORRELATION_ID_HEADER,
  correlationIdFromHeader,
  DELETED_TENANTS,
  type DeletedTenants,
  HotPathRoutes,
  JwtVerifier,
  paginationOf,
  replyWithAppError,
  DELETED_TENANT_REFUSAL,
  logRefusedCaller,
  tenantDeletedError,
} from '@as2-partners/platform';
import type { Page } from '@as2-partners/kernel';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { PartnerListItemsCache } from './partner-list-items.cache';
import { PartnerListPagesCache } from './partner-list-pages.cache';
import { listsNoMaster, plainPartnerListRequest, type PartnerListRequest } from './partner-list-request';
import { PartnerQueries } from './partner-queries';
import type { PartnerViewDocument } from './partner-view.document';
import type { PresentedType } from './partner.presenter';

const TAKEN = Symbol('partnerList');
/** The masters' list path: /v1/accounts/{account}/partners. */
const MASTERS_PATH = /^\/v1\/accounts\/([^/?]+)\/partners(?:\?|$)/;

interface Taken {
  readonly caller: Caller;
  /** The tenant whose list it is; null for the account's master partners. */
  readonly tenant: string | null;
  readonly account: string;
  readonly query: PartnerListRequest;
}
type ListingRequest = IncomingMessage & { [TAKEN]?: Taken };

const asTenant = (doc: PartnerViewDocument): PresentedType => doc.type;
const asMaster = (): PresentedType => 'master';

/**
 * GET /v1/partners and GET /v1/accounts/{account}/partners as plain Fastify routes beside Nest (the Nest pipeline cost
 * more than the page): they take a request whose bearer token the platform's verifier already verified and remembers,
 * with the role the Nest route requires, its tenant (or own account) and a query PartnerListQueryDto accepts in its plain
 * form, and no CORS `Origin`; the Nest routes (ListPartnersController, MasterPartnersController, which keep the OpenAPI
 * operations) answer every other request (first sight of a token, 401, 403, TENANT_REQUIRED, 422, CORS) exactly as
 * before. Both read through PartnerQueries.listPartners (one query definition) and present with `presentPartner`, so
 * the bodies are the same; this one keeps the items (PartnerListItemsCache) and whole pages (PartnerListPagesCache) as
 * JSON text until a write changes them.
 */
@Injectable()
export class ListPartnersRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(JwtVerifier) private readonly verifier: JwtVerifier,
    @Inject(DELETED_TENANTS) private readonly deleted: DeletedTenants,
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
    @Inject(PartnerListItemsCache) private readonly items: PartnerListItemsCache,
    @Inject(PartnerListPagesCache) private readonly pages: PartnerListPagesCache,
    @Optional() private readonly hotPath?: HotPathRoutes,
  ) {}

  onModuleInit(): void {
    // One-shot commands (read-model rebuilds) run without an HTTP server.
    if (!this.adapterHost.httpAdapter || !this.hotPath) return;
    const handler = (request: FastifyRequest, reply: FastifyReply): void => this.answer(request, reply);
    this.hotPath.route({ method: 'GET', url: '/v1/partners', handler }, { when: (request) => this.takesTenantList(request), inProcess: true });
    this.hotPath.route({ method: 'GET', url: '/v1/accounts/:account/partners', handler }, { when: (request) => this.takesMasterList(request), inProcess: true });
  }

  /** The caller from the verifier's memory when it has one of `roles`; the request is the Nest route's otherwise. */
  private knownCaller(request: IncomingMessage, roles: readonly string[]): Caller | undefined {
    return this.verifier.rememberedCallerOf(request.headers, roles);
  }

  private takesTenantList(request: ListingRequest): boolean {
    const caller = this.knownCaller(request, TENANT_READERS);
    if (caller === undefined || caller.tenant === null) return false;
    return this.takes(request, { caller, tenant: caller.tenant, account: caller.account });
  }

  private takesMasterList(request: ListingRequest): boolean {
    const caller = this.knownCaller(request, ['account_admin']);
    const account = MASTERS_PATH.exec(request.url ?? '')?.[1];
    // the path's account as Nest decodes it: a percent-encoded one is left to Nest
    if (caller === undefined || account === undefined || account.includes('%') || caller.account !== account) return false;
    return this.takes(request, { caller, tenant: null, account });
  }

  private takes(request: ListingRequest, taken: Omit<Taken, 'query'>): boolean {
    const url = request.url ?? '';
    const at = url.indexOf('?');
    const fields = at === -1 ? {} : queryFieldsOf(url.slice(at + 1));
    const query = fields === undefined ? undefined : plainPartnerListRequest(fields, taken.tenant === null ? 'masters' : 'tenant');
    if (query === undefined) return false;
    request[TAKEN] = { ...taken, query };
    return true;
  }

  private answer(request: FastifyRequest, reply: FastifyReply): void {
    const taken = (request.raw as ListingRequest)[TAKEN] as Taken;
    void reply.header(CORRELATION_ID_HEADER, correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]));
    const { caller } = taken;
    const verdict = caller.tenant === null ? false : this.deleted.knownVerdict?.(caller.account, caller.tenant);
    const key = pageKeyOf(taken);
    if (verdict === false) {
      const json = this.pages.current(key);
      if (json !== undefined) return this.send(reply, json);
    }
    void this.read(request, reply, taken, key, verdict);
  }

  private async read(request: FastifyRequest, reply: FastifyReply, taken: Taken, key: string, verdict: boolean | undefined): Promise<void> {
    const { caller, tenant, account, query } = taken;
    try {
      if (caller.tenant !== null && (verdict ?? (await this.deleted.isDeleted(caller.account, caller.tenant)))) {
        logRefusedCaller(DELETED_TENANT_REFUSAL, caller, request);
        throw tenantDeletedError(caller.tenant);
      }
      const [pageMark, itemsMark] = [this.pages.mark(), this.items.mark()];
      const page: Page<PartnerViewDocument> =
        tenant === null && listsNoMaster(query.type, query.stationId)
          ? { items: [], total: 0 }
          : await this.queries.listPartners(
              tenant === null
                ? { account, tenant: null, search: query.search, active: query.active, page: query.page, perPage: query.perPage }
                : { account, tenant, search: query.search, active: query.active, type: query.type, stationId: query.stationId, page: query.page, perPage: query.perPage },
            );
      const items = this.items.json(page.items, tenant === null ? asMaster : asTenant, itemsMark);
      const pagination = JSON.stringify(paginationOf(query.page, query.perPage, page.total, page.items.length));
      const json = `{"data":[${items.join(',')}],"pagination":${pagination}}`;
      this.pages.keep(key, account, tenant, json, pageMark);
      this.send(reply, json);
    } catch (error) {
      replyWithAppError(error, request, reply);
    }
  }

  private send(reply: FastifyReply, json: string): void {
    void reply.type('application/json; charset=utf-8').send(json);
  }
}

/** One key per list and query: the same key is the same answer while no write touched the list. */
const pageKeyOf = ({ account, tenant, query }: Taken): string =>
  JSON.stringify([account, tenant, query.page, query.perPage, query.type, query.active ?? null, query.search ?? null, query.stationId ?? null]);

/**
 * The fields of a query string as the Nest route's parser reads them (`+` a space, percent-decoded), or undefined when
 * it could read them otherwise: a field named twice (a list there), an empty part, a malformed escape.
 */
function queryFieldsOf(search: string): Record<string, string> | undefined {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of search.split('&')) {
    const equals = part.indexOf('=');
    const name = decoded(equals === -1 ? part : part.slice(0, equals));
    const value = equals === -1 ? '' : decoded(part.slice(equals + 1));
    if (name === undefined || name === '' || value === undefined || name in fields) return undefined;
    fields[name] = value;
  }
  return fields;
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
