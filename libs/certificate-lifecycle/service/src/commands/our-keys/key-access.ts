import { Inject, Injectable } from '@nestjs/common';
import { CertificateLifecycleStreams, inheritedKeyReadOnly, keyNotFound, signingKeyOf, type InstanceUsingAlias } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, EVENT_STORE, type Clock, type EventStore } from '@as2-partners/kernel';
import { paginationOf, preferredMediaType } from '@as2-partners/platform';
import type { FastifyReply } from 'fastify';
import { certificationRequestOf } from '../../keystore/key-material';
import type { KeystoreScope } from '../../keystore/keystore-scope';
import { OurKeystore } from '../../keystore/our-keystore';
import { KeyQueries } from '../../queries/key-views/key-queries';
import type { KeyViewDocument } from '../../queries/key-views/key-view.document';
import { KEY_USERS_NAMED, presentKey, type KeyUsers } from '../../queries/key-views/key.presenter';
import { presentTimelineEvent } from '../../queries/trust-timeline/timeline-event.presenter';
import { KnownInstancesConsumer } from '../../reactions/as2-instances/known-instances.consumer';

const PEM_TYPE = 'application/x-pem-file';
const DER_TYPES = ['application/pkix-cert', 'application/x-x509-ca-cert', 'application/x-x509-user-cert', 'application/octet-stream'];

/**
 * What a caller of a keystore route may see and do, for the tenant routes (`/v1/keys`) and the account routes
 * (`/v1/accounts/{account}/keys`) alike: a tenant reads its own keys and the account's, and changes only its own.
 */
@Injectable()
export class KeyAccess {
  constructor(
    private readonly keystore: OurKeystore,
    private readonly instances: KnownInstancesConsumer,
    @Inject(KeyQueries) private readonly queries: KeyQueries,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async visible(viewer: KeystoreScope, keyId: string): Promise<KeyViewDocument> {
    const doc = await this.queries.findVisible(viewer, keyId);
    if (!doc) throw keyNotFound(keyId);
    return doc;
  }

  /** A key of the viewer's own keystore: a tenant reading an account key may not delete, roll over or sign a CSR with it. */
  async writable(viewer: KeystoreScope, keyId: string): Promise<KeyViewDocument> {
    const doc = await this.visible(viewer, keyId);
    if (doc.tenant !== viewer.tenant) throw inheritedKeyReadOnly(keyId);
    return doc;
  }

  /**
   * The live instances whose alias resolves to this key's keystore, as its keystore's owner sees them: for a tenant key
   * the tenant's instances (an account-level instance naming the alias resolves it in the account's keystore); for an
   * account key the account-level instances and the tenant instances of a tenant holding no key of that alias itself
   * (they fall back to the account's).
   */
  async usedBy(doc: KeystoreScope & { readonly alias: string }): Promise<KeyUsers> {
    return this.usersOf(doc, doc);
  }

  /**
   * The key's users a viewer sees, the first KEY_USERS_NAMED by id and their count: a tenant reading an account key
   * only its own (unless it holds a key of the alias itself) and the account-level ones, never another tenant's, each
   * level one index range of the alias's instances.
   */
  private async usersOf(doc: KeystoreScope & { readonly alias: string }, viewer: KeystoreScope): Promise<KeyUsers> {
    if (doc.tenant !== null) return this.instances.namingAliasIn(doc.account, [doc.tenant], doc.alias, KEY_USERS_NAMED);
    if (viewer.tenant !== null) {
      const ownKeys = (await this.keystore.state({ account: doc.account, tenant: viewer.tenant, alias: doc.alias })).keys.length > 0;
      return this.instances.namingAliasIn(doc.account, ownKeys ? [null] : [null, viewer.tenant], doc.alias, KEY_USERS_NAMED);
    }
    // the account admin's: every tenant's, each tenant's keystore read once
    const holdsOwnKey = new Map<string, Promise<boolean>>();
    const ownKeyOf = (tenant: string): Promise<boolean> => {
      if (!holdsOwnKey.has(tenant)) holdsOwnKey.set(tenant, this.keystore.state({ account: doc.account, tenant, alias: doc.alias }).then((state) => state.keys.length > 0));
      return holdsOwnKey.get(tenant) as Promise<boolean>;
    };
    const using: InstanceUsingAlias[] = [];
    for (const instance of await this.instances.namingAlias(doc.account, doc.alias)) {
      if (instance.tenant === null || !(await ownKeyOf(instance.tenant))) using.push({ instanceId: instance.instanceId, myAs2Id: instance.myAs2Id });
    }
    return { named: using.slice(0, KEY_USERS_NAMED), total: using.length };
  }

  async present(doc: KeyViewDocument, viewer: KeystoreScope) {
    const type = viewer.tenant === null ? 'master' : doc.tenant === null ? 'inherited' : 'tenant';
    return presentKey(doc, await this.usersOf(doc, viewer), this.clock.now(), type);
  }

  async list(viewer: KeystoreScope, query: { page?: number; per_page?: number; alias?: string }) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.list({ viewer, alias: query.alias, page, perPage });
    return { data: await Promise.all(result.items.map((doc) => this.present(doc, viewer))), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  async timeline(doc: KeyViewDocument, query: { page?: number; per_page?: number }) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const stream = CertificateLifecycleStreams.keyAlias(doc.account, doc.tenant, doc.alias);
    const newest = await this.store.readStream(stream, { direction: 'backwards', maxCount: page * perPage });
    const total = newest.length > 0 ? newest[0].revision + 1 : 0;
    const events = newest.slice((page - 1) * perPage);
    return { data: events.map(presentTimelineEvent), pagination: paginationOf(page, perPage, total, events.length) };
  }

  /** The public certificate as a file: PEM with its chain, or DER when the Accept header prefers a DER type (q-values count). */
  certificateFile(doc: KeyViewDocument, accept: string | undefined, reply: FastifyReply): Buffer | string {
    const c = doc.certificate;
    const wantsDer = preferredMediaType(accept, [PEM_TYPE, ...DER_TYPES]) !== PEM_TYPE;
    reply.header('content-disposition', `attachment; filename="${doc.alias}.${wantsDer ? 'cer' : 'pem'}"`);
    if (wantsDer) {
      reply.header('content-type', 'application/pkix-cert');
      return Buffer.from(c.pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    }
    reply.header('content-type', PEM_TYPE);
    return [c.pem, ...c.chain.map((member) => member.pem)].join('');
  }

  /**
   * A PKCS#10 request signed inside this service by the key; PEM text when the Accept header prefers application/pkcs10 to
   * JSON. An empty subject, like none, takes the certificate's.
   */
  async certificationRequest(doc: KeyViewDocument, subject: string | undefined, accept: string | undefined, reply: FastifyReply) {
    const state = await this.keystore.state({ account: doc.account, tenant: doc.tenant, alias: doc.alias });
    const entry = state.keys.find((key) => key.keyId === doc._id) ?? null;
    if (!entry) throw keyNotFound(doc._id);
    const key = await this.keystore.unseal(entry);
    const csr = certificationRequestOf(key.keyPair.privateKey, subject ? { text: subject } : { certificatePem: entry.certificate.pem });
    if (preferredMediaType(accept, ['application/json', 'application/pkcs10']) === 'application/pkcs10') {
      reply.header('content-type', 'application/pkcs10');
      return csr;
    }
    return { data: { key_id: doc._id, alias: doc.alias, subject: subject || entry.certificate.subject, csr, current: signingKeyOf(state)?.keyId === doc._id } };
  }
}
