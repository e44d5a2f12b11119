import type { EmbeddedTestApp, TestTokenClaims } from '@as2-partners/platform-testing';

export interface ApiResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are asserted field by field in specs
  readonly body: any;
}

/** A multipart/form-data body as a browser or curl -F would send it. */
export function multipartBody(fields: Record<string, string>, file?: { field: string; filename: string; content: Buffer | string }) {
  const boundary = `----as2test${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A caller of the embedded app with JSON helpers and certificate uploads. */
export function certificateApiAs(t: EmbeddedTestApp, claims: Partial<TestTokenClaims> = {}) {
  const authorization = `Bearer ${t.token(claims)}`;
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<ApiResponse> => {
    const res = await t.app.inject({ method, url, headers: { authorization }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: unknown) => call('POST', url, payload ?? {}),
    put: (url: string, payload: unknown) => call('PUT', url, payload),
    patch: (url: string, payload: unknown) => call('PATCH', url, payload),
    delete: (url: string) => call('DELETE', url),
    upload: async (url: string, fields: Record<string, string>, content: Buffer | string, filename = 'partner.pem'): Promise<ApiResponse> => {
      const body = multipartBody(fields, { field: 'certificate', filename, content });
      const res = await t.app.inject({ method: 'POST', url, headers: { authorization, 'content-type': body.contentType }, payload: body.payload });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    },
  };
}

export type CertificateApi = ReturnType<typeof certificateApiAs>;

let counter = 0;
export function freshTenant(): string {
  counter += 1;
  return `cert-tenant-${process.pid}-${counter}`;
}

let as2Counter = 0;
export async function createPartner(api: CertificateApi, extra: Record<string, unknown> = {}): Promise<string> {
  as2Counter += 1;
  const as2Id = `CERT-P-${process.pid}-${as2Counter}`;
  const res = await api.post('/v1/partners', { name: `Partner ${as2Id}`, as2_id: as2Id, url: `https://p${as2Counter}.example.com/as2`, ...extra });
  if (res.status !== 201) throw new Error(`partner create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.id as string;
}

export const CERTIFICATE_ID = /^cert_[0-9A-HJKMNP-TV-Z]{26}$/;
export const API_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
