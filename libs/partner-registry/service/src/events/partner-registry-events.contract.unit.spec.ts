import { toNewEvents } from '@as2-partners/kernel';
import { requestMetadata } from '@as2-partners/platform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { RecordedEvent } from '@as2-partners/kernel';
import {
  as2InstanceDecider,
  partnershipDecider,
  stationDecider,
  masterPartnerDecider,
  PARTNER_REGISTRY_EVENT_TYPES,
  partnerDecider,
  partnerDirectoryDecider,
  partnerOverrideDecider,
  PartnerRegistryStreams,
  tenantDecider,
  type PartnerRegistryEvent,
} from '@as2-partners/partner-registry-domain';
import { instanceOwnerOf, PartnerRegistryEventTypes, readPartnerEvent } from '@as2-partners/partner-registry-contract';
import { traced } from '@as2-partners/kernel-testing';

const DOCS = join(__dirname, '../../../../../docs/asyncapi');
const SPEC = join(DOCS, 'partner-registry.asyncapi.yaml');
const schemaFile = (type: string) => join(DOCS, 'schemas/partner-registry', `${type}.schema.json`);

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T11:00:00.000Z';
const PARTNER = 'prt_01M8369VHGVPBY5SEFAXFPSG8P';
const MASTER = 'prt_01M8369VHGVPBY5SEFAXFPSG8Q';

/** Real decider output for every event type, with the stream each is appended to. */
function producedEvents(): { stream: string; event: PartnerRegistryEvent }[] {
  const out: { stream: string; event: PartnerRegistryEvent }[] = [];
  function run<C, S, E extends PartnerRegistryEvent>(stream: string, decider: { initialState: () => S; decide: (c: C, s: S) => E[]; evolve: (s: S, e: E) => S }, commands: C[]) {
    let state = decider.initialState();
    for (const command of commands) {
      for (const event of decider.decide(command, state)) {
        out.push({ stream, event });
        state = decider.evolve(state, event);
      }
    }
  }
  const full = {
    name: 'Acme',
    url: 'https://acme.example.com/as2',
    sign: true,
    signAlgorithm: 'SHA256withRSA' as const,
    encryptAlgorithm: 'AES256_CBC' as const,
    mdn: { url: 'https://us.example.com/mdn', signed: true },
    httpAuth: { enabled: true, username: 'edi', sealedPassword: 'v1.aaa.bbb.ccc' },
    email: 'as2@acme.example.com',
    stationId: 'stn_01M8369VHGVPBY5SEFAXFPSG8V',
    firewall: { enabled: true, allowedIps: ['203.0.113.0/24', '2001:db8::/32'] },
  };
  run(PartnerRegistryStreams.partner(PARTNER), partnerDecider, [
    { type: 'create_partner', partnerId: PARTNER, account: 'acc', tenant: 'ten', as2Id: 'ACME', settings: full, certificateId: 'cert_01JD0000000000000000000000', now: T0 },
    { type: 'update_partner', partnerId: PARTNER, changes: { name: 'Acme 2', connection: { retryAttempts: 1 }, encryptAlgorithm: null }, now: T1 },
    { type: 'change_as2_id', partnerId: PARTNER, newAs2Id: 'ACME-NEW', acknowledgeRisks: true, reason: 'Partner migrated its AS2 server', now: T1 },
    { type: 'delete_partner', partnerId: PARTNER, now: T1 },
  ]);
  run(PartnerRegistryStreams.masterPartner(MASTER), masterPartnerDecider, [
    { type: 'create_partner', partnerId: MASTER, account: 'acc', tenant: null, as2Id: 'MCK', settings: full, certificateId: 'cert_01JD0000000000000000000000', now: T0 },
    { type: 'update_partner', partnerId: MASTER, changes: { mdnMode: 'sync' }, now: T1 },
    { type: 'change_as2_id', partnerId: MASTER, newAs2Id: 'MCK-2', acknowledgeRisks: true, reason: null, now: T1 },
    { type: 'delete_partner', partnerId: MASTER, now: T1 },
  ]);
  run(PartnerRegistryStreams.tenantDirectory('acc', 'ten'), partnerDirectoryDecider, [
    { type: 'reserve_as2_id', as2Id: 'ACME', partnerId: PARTNER, planLimit: { plan: 'free', limit: 5 }, staleReservations: [], now: T0 },
    { type: 'reserve_as2_id', as2Id: 'ACME-NEW', partnerId: PARTNER, planLimit: null, staleReservations: [], claimId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', now: T1 },
    { type: 'settle_as2_id_claim', partnerId: PARTNER, claimId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', currentAs2Id: 'ACME-NEW', revision: 2, claimsStaleBefore: T0, now: T1 },
    { type: 'release_as2_id', partnerId: PARTNER, reason: 'deleted', now: T1 },
  ]);
  const target = { account: 'acc', tenant: 'ten', masterPartnerId: MASTER };
  run(PartnerRegistryStreams.override('acc', 'ten', MASTER), partnerOverrideDecider, [
    { type: 'set_overrides', ...target, changes: { url: 'https://tenant.example.com/as2', connection: { timeoutSeconds: 5 } }, now: T0 },
    { type: 'reset_overrides', ...target, now: T1 },
  ]);
  run(PartnerRegistryStreams.tenant('acc', 'ten'), tenantDecider, [
    { type: 'create_tenant', account: 'acc', tenantId: 'ten', name: 'Tenant', plan: 'free', now: T0 },
    { type: 'update_tenant', tenantId: 'ten', plan: 'starter', now: T1 },
    { type: 'delete_tenant', tenantId: 'ten', now: T1 },
  ]);
  run(PartnerRegistryStreams.tenant('acc', 'ten2'), tenantDecider, [
    { type: 'create_tenant', account: 'acc', tenantId: 'ten2', name: 'Noticed', plan: 'free', notificationEmail: 'ops@ten2.example', now: T0 },
    { type: 'update_tenant', tenantId: 'ten2', notificationEmail: 'other@ten2.example', now: T1 },
    { type: 'update_tenant', tenantId: 'ten2', notificationEmail: null, now: T1 },
  ]);
  const INSTANCE = 'ins_01M8369VHGVPBY5SEFAXFPSG8R';
  const MASTER_INSTANCE = 'ins_01M8369VHGVPBY5SEFAXFPSG8S';
  const instance = { myAs2Id: 'mycompany', myName: 'My Company', myAs2Alias: 'mycompany-key', myEmail: 'as2@us.example.com', status: 'on' as const };
  run(PartnerRegistryStreams.as2Instance(INSTANCE), as2InstanceDecider, [
    { type: 'create_as2_instance', instanceId: INSTANCE, account: 'acc', tenant: 'ten', ...instance, now: T0 },
    { type: 'update_as2_instance', instanceId: INSTANCE, changes: { myName: 'Us', myAs2Id: 'us-2', status: 'off' }, now: T1 },
    { type: 'delete_as2_instance', instanceId: INSTANCE, now: T1 },
  ]);
  run(PartnerRegistryStreams.as2Instance(MASTER_INSTANCE), as2InstanceDecider, [
    { type: 'create_as2_instance', instanceId: MASTER_INSTANCE, account: 'acc', tenant: null, ...instance, now: T0 },
    { type: 'update_as2_instance', instanceId: MASTER_INSTANCE, changes: { status: 'off' }, now: T1 },
  ]);
  const PARTNERSHIP = 'pts_01M8369VHGVPBY5SEFAXFPSG8T';
  run(PartnerRegistryStreams.partnership(PARTNERSHIP), partnershipDecider, [
    { type: 'create_partnership', partnershipId: PARTNERSHIP, account: 'acc', tenant: 'ten', as2InstanceId: INSTANCE, partnerId: PARTNER, overrides: { subject: 'EDI', signAlgorithm: 'SHA256withRSA' }, now: T0 },
    { type: 'update_partnership', partnershipId: PARTNERSHIP, patch: { subject: null, mdnMode: 'sync', encryptAlgorithm: null }, now: T1 },
    { type: 'delete_partnership', partnershipId: PARTNERSHIP, reason: 'partner_deleted', now: T1 },
  ]);
  const STATION = 'stn_01M8369VHGVPBY5SEFAXFPSG8V';
  run(PartnerRegistryStreams.station(STATION), stationDecider, [
    { type: 'create_station', stationId: STATION, account: 'acc', tenant: 'ten', name: 'EU', notificationEmail: 'ops@us.example.com', as2InstanceId: INSTANCE, now: T0 },
    { type: 'update_station', stationId: STATION, changes: { as2InstanceId: null, name: 'EU 2' }, now: T1 },
    { type: 'assign_partner', stationId: STATION, partnerId: PARTNER, now: T1 },
    { type: 'unassign_partner', stationId: STATION, partnerId: PARTNER, reason: 'moved', now: T1 },
    { type: 'assign_partner', stationId: STATION, partnerId: MASTER, now: T1 },
    { type: 'delete_station', stationId: STATION, releasedMembers: [MASTER], now: T1 },
  ]);
  return out;
}

function recorded(stream: string, event: PartnerRegistryEvent, index: number): RecordedEvent {
  const accountLevel =
    stream.startsWith('master_partner') || stream.startsWith('tenant-') || (stream.startsWith('as2_instance-') && (event.data as { tenant?: unknown }).tenant === null);
  const ctx = { caller: { sub: 'alice', account: 'acc', tenant: 'ten', roles: ['tenant_admin' as const] }, correlationId: 'corr-1', requestId: 'req-1' };
  const [newEvent] = toNewEvents([event], requestMetadata(ctx, accountLevel ? null : 'ten', new Date(T0)));
  return { ...newEvent!, stream, revision: 0, position: index };
}

describe('partner-registry AsyncAPI contract', () => {
  it('is a valid AsyncAPI 3 document naming every event type once', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), SPEC).parse();
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    const channel = document!.channels().all()[0]!;
    expect(channel.address()).toBe('as2.partner-registry.events');
    const names = document!.messages().all().map((m) => m.name());
    expect([...new Set(names)].sort()).toEqual([...PARTNER_REGISTRY_EVENT_TYPES].sort());
  });

  it('has a schema for every event type, and real decider output validates against it', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const produced = producedEvents();
    expect([...new Set(produced.map((p) => p.event.type))].sort()).toEqual([...PARTNER_REGISTRY_EVENT_TYPES].sort());
    for (const type of PARTNER_REGISTRY_EVENT_TYPES) {
      expect(() => readFileSync(schemaFile(type))).not.toThrow();
    }
    produced.forEach(({ stream, event }, i) => {
      // Some types are produced twice (a tenant's and a master instance): compile each schema once.
      const schema = JSON.parse(readFileSync(schemaFile(event.type), 'utf8'));
      const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
      const envelope = JSON.parse(JSON.stringify(recorded(stream, event, i)));
      const valid = validate(envelope);
      if (!valid) throw new Error(`${event.type}: ${ajv.errorsText(validate.errors)}`);
      if (!validate(traced(envelope))) throw new Error(`${event.type} with trace context: ${ajv.errorsText(validate.errors)}`);
    });
  });

  it('publishes every type the consumers\' contract names, with the id and owner the contract reads from it', () => {
    const published = new Set<string>(PARTNER_REGISTRY_EVENT_TYPES);
    expect(Object.values(PartnerRegistryEventTypes).flat().filter((type) => !published.has(type))).toEqual([]);
    const idFields: Record<keyof typeof PartnerRegistryEventTypes, string> = {
      partner: 'partnerId',
      tenant: 'tenantId',
      as2Instance: 'instanceId',
      partnership: 'partnershipId',
      station: 'stationId',
      partnerOverride: 'masterPartnerId',
    };
    const groupOf = (type: string) => (Object.keys(idFields) as (keyof typeof idFields)[]).find((g) => (PartnerRegistryEventTypes[g] as readonly string[]).includes(type));
    const read = producedEvents().map(({ stream, event }, i) => recorded(stream, event, i)).filter((e) => groupOf(e.type));
    expect(new Set(read.map((e) => e.type)).size).toBe(Object.values(PartnerRegistryEventTypes).flat().length);
    for (const event of read) {
      const group = groupOf(event.type)!;
      expect([event.type, typeof (event.data as Record<string, unknown>)[idFields[group]]]).toEqual([event.type, 'string']);
      if (group === 'partner') {
        const master = event.type.startsWith('master_partner.');
        expect([event.type, readPartnerEvent(event)]).toMatchObject([event.type, { master, account: 'acc', tenant: master ? null : 'ten' }]);
      }
      if (group === 'as2Instance') expect(instanceOwnerOf(event)).toEqual({ account: 'acc', tenant: (event.data as { tenant: string | null }).tenant });
    }
  });

  it('rejects an event that breaks its schema', () => {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const [{ stream, event }] = producedEvents();
    const envelope = JSON.parse(JSON.stringify(recorded(stream!, event!, 0)));
    envelope.data.as2Id = 'HAS SPACE';
    expect(ajv.compile(JSON.parse(readFileSync(schemaFile(event!.type), 'utf8')))(envelope)).toBe(false);
  });
});
