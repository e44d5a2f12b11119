import { DomainError } from '@as2-partners/kernel';
import {
  firstUndecodableField,
  firstUnsafeTextField,
  PROTOTYPE_PART_NAME_MESSAGE,
  refuseCrowdedObjects,
  refuseUnnamedPart,
  UNDECODABLE_TEXT_MESSAGE,
  UNSAFE_TEXT_MESSAGE,
  ValidationFailedException,
} from '@as2-partners/platform';
import { OurKeyErrorCode } from '@as2-partners/certificate-lifecycle-domain';
import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MAX_KEY_FILE_BYTES, RSA_KEY_SIZES, type RsaKeySize } from '../../keystore/key-material';

/** Where the key comes from, as the request said it (nothing read or checked yet but the shape). */
export type KeySourceRequest =
  | { readonly kind: 'generate'; readonly keySize: RsaKeySize; readonly subject: string; readonly validDays: number }
  | { readonly kind: 'pkcs12'; readonly file: Buffer; readonly password: string }
  | { readonly kind: 'pem'; readonly privateKey: string; readonly certificate: string; readonly password: string | null };

/** `POST /v1/keys` (alias + source) or `POST /v1/keys/{id}/rollover` (source + window), as JSON or multipart/form-data. */
export interface KeyRequestForm {
  readonly alias: string | undefined;
  readonly source: KeySourceRequest;
  readonly activateAt: unknown;
  readonly overlapUntil: unknown;
}

const FIELDS = ['alias', 'generate', 'pkcs12', 'password', 'private_key', 'certificate', 'activate_at', 'overlap_until'] as const;
const GENERATE_FIELDS = ['algorithm', 'key_size', 'subject', 'valid_days'];

function tooLarge(field: string): DomainError {
  return new DomainError(OurKeyErrorCode.KeyFileTooLarge, `The ${field} file exceeds ${MAX_KEY_FILE_BYTES} bytes`, field);
}

function refuseUnknown(names: readonly string[], allowed: readonly string[], prefix = ''): void {
  const unknown = names.filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw new ValidationFailedException(Object.fromEntries(unknown.map((name) => [`${prefix}${name}`, [`The ${prefix}${name} field is not allowed`]])));
}

interface MultipartPart {
  readonly type: 'file' | 'field';
  readonly fieldname: string;
  readonly value?: unknown;
  toBuffer(): Promise<Buffer>;
  readonly file?: { truncated?: boolean; resume?: () => void };
}

async function readMultipart(request: FastifyRequest): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  const texts = new Map<string, string>();
  const parts = (request as unknown as { parts(options: object): AsyncIterable<MultipartPart> }).parts({ limits: { fileSize: MAX_KEY_FILE_BYTES, files: 3, fields: 8 } });
  // The file being read when the reader gives up on its size: the field the refusal names.
  let reading = 'pkcs12';
  try {
    for await (const part of parts) {
      refuseUnnamedPart(part.fieldname);
      if (part.type === 'file') reading = part.fieldname;
      // A field sent twice (two pkcs12 files, two passwords) names no one key: refused, not the last one taken.
      if (texts.has(part.fieldname)) {
        part.file?.resume?.();
        throw new ValidationFailedException({ [part.fieldname]: [`The ${part.fieldname} field may be sent only once`] });
      }
      if (!(FIELDS as readonly string[]).includes(part.fieldname) || part.fieldname === 'generate') {
        texts.set(part.fieldname, '');
        part.file?.resume?.();
      } else if (part.type === 'file') {
        const content = await part.toBuffer();
        if (part.file?.truncated) throw tooLarge(part.fieldname);
        texts.set(part.fieldname, '');
        fields[part.fieldname] = content;
      } else {
        const value = String(part.value ?? '');
        texts.set(part.fieldname, value);
        fields[part.fieldname] = value;
      }
    }
  } catch (error) {
    if (error instanceof DomainError || error instanceof ValidationFailedException) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      // The reader's limit is on every file, read or skipped: one no field takes is refused as not allowed.
      if ((FIELDS as readonly string[]).includes(reading) && reading !== 'generate') throw tooLarge(reading);
      refuseUnknown([reading], []);
    }
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new ValidationFailedException({ pkcs12: ['The multipart body could not be read (at most 3 files and 8 fields)'] });
    }
    if (code === 'FST_PROTO_VIOLATION') throw new ValidationFailedException({ body: [PROTOTYPE_PART_NAME_MESSAGE] });
    // Not a rule the fields broke: the body itself is malformed, as unparseable JSON is.
    throw new BadRequestException({ message: 'The multipart body could not be read', code: 'INVALID_BODY' });
  }
  const unsafe = firstUnsafeTextField(Object.fromEntries(texts));
  if (unsafe !== null) throw new ValidationFailedException({ [unsafe]: [UNSAFE_TEXT_MESSAGE] }, 'INVALID_CHARACTERS');
  const undecodable = firstUndecodableField(texts);
  if (undecodable !== null) throw new ValidationFailedException({ [undecodable]: [UNDECODABLE_TEXT_MESSAGE] }, 'INVALID_CHARACTERS');
  refuseUnknown([...texts.keys()], FIELDS.filter((f) => f !== 'generate'));
  return fields;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/** Base64 with its whitespace removed first: one class beside `\s*` twice would backtrack quadratically on a run of spaces. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string): boolean => BASE64.test(text.replace(/\s+/g, ''));

function sourceOf(raw: Record<string, unknown>, errors: Record<string, string[]>): KeySourceRequest | null {
  const given = (['generate', 'pkcs12', 'private_key'] as const).filter((field) => raw[field] !== undefined && raw[field] !== null);
  if (given.length !== 1) {
    errors['generate'] = ['Give exactly one of generate, pkcs12 (with password) or private_key (with certificate)'];
    return null;
  }
  const password = raw['password'];
  if (password !== undefined && typeof password !== 'string') errors['password'] = ['The password must be a string'];
  else if (typeof password === 'string' && password.length > 1024) errors['password'] = ['The password may not be longer than 1024 characters'];
  switch (given[0]) {
    case 'generate': {
      const g = raw['generate'];
      if (typeof g !== 'object' || g === null || Array.isArray(g)) {
        errors['generate'] = ['The generate field must be an object {algorithm, key_size, subject, valid_days}'];
        return null;
      }
      const spec = g as Record<string, unknown>;
      refuseUnknown(Object.keys(spec), GENERATE_FIELDS, 'generate.');
      if (password !== undefined) errors['password'] = ['A generated key takes no password'];
      if (raw['certificate'] !== undefined) errors['certificate'] = ['A generated key gets its own self-signed certificate; send a certificate with a private_key'];
      if (spec['algorithm'] !== undefined && spec['algorithm'] !== 'RSA') errors['generate.algorithm'] = ['The algorithm must be RSA'];
      if (spec['key_size'] === undefined || spec['key_size'] === null) errors['generate.key_size'] = ['The key size field is required'];
      else if (!RSA_KEY_SIZES.includes(spec['key_size'] as RsaKeySize)) errors['generate.key_size'] = [`The key_size must be one of ${RSA_KEY_SIZES.join(', ')}`];
      if (typeof spec['subject'] !== 'string' || spec['subject'].trim() === '') errors['generate.subject'] = ['The subject is required, e.g. "CN=Acme AS2, O=Acme Corp"'];
      const days = spec['valid_days'];
      if (days === undefined || days === null) errors['generate.valid_days'] = ['The valid days field is required'];
      else if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) errors['generate.valid_days'] = ['The valid_days must be an integer from 1 to 3650'];
      return { kind: 'generate', keySize: spec['key_size'] as RsaKeySize, subject: String(spec['subject'] ?? ''), validDays: Number(days) };
    }
    case 'pkcs12': {
      const value = raw['pkcs12'];
      let file: Buffer | undefined;
      if (Buffer.isBuffer(value)) file = value;
      else if (typeof value === 'string' && isBase64(value)) file = Buffer.from(value, 'base64');
      else errors['pkcs12'] = ['The pkcs12 field must be the PKCS#12 file (multipart) or its base64 text (JSON)'];
      if (typeof password !== 'string') errors['password'] = ['The password of the PKCS#12 file is required ("" for none)'];
      if (raw['certificate'] !== undefined) errors['certificate'] = ['A PKCS#12 file carries its own certificate'];
      return file ? { kind: 'pkcs12', file, password: typeof password === 'string' ? password : '' } : null;
    }
    case 'private_key': {
      const privateKey = textOf(raw['private_key']);
      const certificate = textOf(raw['certificate']);
      if (privateKey === undefined) errors['private_key'] = ['The private_key must be PEM text'];
      if (certificate === undefined || certificate.trim() === '') errors['certificate'] = ['The certificate (PEM, with its chain) is required with a private_key'];
      return { kind: 'pem', privateKey: privateKey ?? '', certificate: certificate ?? '', password: typeof password === 'string' && password !== '' ? password : null };
    }
  }
}

/** Reads the request's fields and their shape; the key material itself is read by the keystore. */
export async function readKeyRequestForm(request: FastifyRequest, purpose: 'create' | 'rollover'): Promise<KeyRequestForm> {
  const isMultipart = (request as unknown as { isMultipart?: () => boolean }).isMultipart?.() === true;
  let raw: Record<string, unknown>;
  if (isMultipart) raw = await readMultipart(request);
  else {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationFailedException({ body: ['The body must be a JSON object'] });
    refuseCrowdedObjects(body);
    raw = body as Record<string, unknown>;
    refuseUnknown(Object.keys(raw), FIELDS);
  }
  const errors: Record<string, string[]> = {};
  // No field of the request is nullable: a null is refused where it is, not read as the field left out.
  for (const field of FIELDS) if (raw[field] === null) errors[field] = [`The ${field} field may not be null`];
  const alias = raw['alias'];
  if (purpose === 'create' && alias === undefined) errors['alias'] = ['The alias field is required'];
  if (purpose === 'rollover' && alias !== undefined) errors['alias'] = ['The next key takes the alias of the key it replaces'];
  if (alias !== undefined && typeof alias !== 'string') errors['alias'] = ['The alias must be a string'];
  if (purpose === 'create' && (raw['activate_at'] !== undefined || raw['overlap_until'] !== undefined)) {
    errors['activate_at'] = ['activate_at and overlap_until schedule a rollover: POST /v1/keys/{id}/rollover'];
  }
  if (purpose === 'rollover' && raw['activate_at'] === undefined) errors['activate_at'] = ['The activate_at field is required'];
  if (purpose === 'rollover' && raw['overlap_until'] === undefined) errors['overlap_until'] = ['The overlap_until field is required'];
  const source = sourceOf(raw, errors);
  if (Object.keys(errors).length > 0 || source === null) throw new ValidationFailedException(errors);
  return { alias: typeof alias === 'string' ? alias : undefined, source, activateAt: raw['activate_at'], overlapUntil: raw['overlap_until'] };
}
