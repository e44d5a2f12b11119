import { EVENT_STORE, WriteModel, type EventStore, type RecordedEvent } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp, type EmbeddedTestAppOptions, type TestTokenClaims } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';

export interface ApiResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are asserted field by field in specs
  readonly body: any;
}

/** A caller of the embedded app: every request carries a bearer token for the given claims. */
export function apiAs(t: EmbeddedTestApp, claims: Partial<TestTokenClaims> = {}) {
  const headers = { authorization: `Bearer ${t.token(claims)}` };
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<ApiResponse> => {
    const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload: unknown) => call('POST', url, payload),
    patch: (url: string, payload: unknown) => call('PATCH', url, payload),
    delete: (url: string) => call('DELETE', url),
  };
}

export type Api = ReturnType<typeof apiAs>;

let counter = 0;
/** A tenant id no other test uses, so tests share one app without seeing each other's partners. */
export function freshTenant(): string {
  counter += 1;
  return `tenant-${process.pid}-${counter}`;
}

export function partnerInput(as2Id: string, extra: Record<string, unknown> = {}) {
  return { name: `Partner ${as2Id}`, as2_id: as2Id, url: `https://${as2Id.toLowerCase()}.example.com/as2`, ...extra };
}

export const API_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
export const PARTNER_ID = /^prt_[0-9A-HJKMNP-TV-Z]{26}$/;

export function instanceInput(myAs2Id: string, extra: Record<string, unknown> = {}) {
  return { my_as2_id: myAs2Id, my_name: `Us as ${myAs2Id}`, my_as2_alias: `${myAs2Id.toLowerCase()}-key`, my_email: 'as2@us.example.com', ...extra };
}

/** One embedded partner-registry shared by a spec file, and for each test a fresh account and tenant with their callers. */
export interface PartnerApiFixture {
  t: EmbeddedTestApp;
  account: string;
  tenant: string;
  /** A tenant user of `account`/`tenant`. */
  api: Api;
  /** The account admin of `account` (no tenant). */
  admin: Api;
  /** An account id no other test uses, named after the spec's prefix. */
  freshAccount(): string;
}

/** Registers the spec file's hooks: the app starts once, each test gets its own account and tenant. */
export function partnerApiFixture(accountPrefix: string, appOptions: Omit<EmbeddedTestAppOptions, 'imports'> = {}): PartnerApiFixture {
  let accounts = 0;
  const fixture = { freshAccount: () => `${accountPrefix}-${process.pid}-${++accounts}` } as PartnerApiFixture;
  beforeAll(async () => {
    fixture.t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], ...appOptions });
  }, 60_000);
  afterAll(() => fixture.t?.close());
  beforeEach(() => {
    fixture.account = fixture.freshAccount();
    fixture.tenant = freshTenant();
    fixture.api = apiAs(fixture.t, { account: fixture.account, tenant: fixture.tenant });
    fixture.admin = apiAs(fixture.t, { account: fixture.account, tenant: null, roles: ['account_admin'] });
  });
  return fixture;
}

/**
 * The directory releases of one id that a restarted app's completion reactor makes (`type`, the id in `field`): waits
 * for the first, answers the events then, and a function to read them again (a later count checks they happen once).
 */
export async function releasesAfterRestart(test: EmbeddedTestApp, type: string, field: string, id: string): Promise<{ released: RecordedEvent[]; again: () => Promise<RecordedEvent[]> }> {
  const again = () => eventsWith(test, type, field, id);
  const released = await eventually('the restarted reactor to release the old id', async () => ((await again()).length > 0 ? await again() : undefined), {
    timeoutMs: 30_000,
    intervalMs: 50,
  });
  return { released, again };
}

/** The process "dies" before anything is decided on `stream`: every decision there fails (restore with jest.restoreAllMocks). */
export function decisionsFailOn(test: EmbeddedTestApp, stream: string): void {
  const writeModel = test.app.get(WriteModel);
  const decide = writeModel.decide.bind(writeModel) as (...args: unknown[]) => ReturnType<WriteModel['decide']>;
  jest.spyOn(writeModel, 'decide').mockImplementation((target, ...rest) => (target === stream ? Promise.reject(new Error('process killed')) : decide(target, ...rest)));
}

/** The events of `type` whose `field` is `id`, in the app's store. */
export async function eventsWith(test: EmbeddedTestApp, type: string, field: string, id: string): Promise<RecordedEvent[]> {
  return (await test.app.get<EventStore>(EVENT_STORE).readAll()).filter((e) => e.type === type && (e.data as Record<string, unknown>)[field] === id);
}
