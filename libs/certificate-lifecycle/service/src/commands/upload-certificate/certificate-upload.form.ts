import { characterCount, DomainError, hasControlCharacters } from '@as2-partners/kernel';
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
import {
  CERTIFICATE_TYPES,
  CERTIFICATE_USAGES,
  certificateTooLarge,
  DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES,
  type CertificateType,
  type CertificateUsage,
} from '@as2-partners/certificate-lifecycle-domain';
import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** An upload as the API receives it: multipart/form-data (seed 002) or JSON with the PEM text. */
export interface CertificateUploadForm {
  readonly name: string;
  readonly usage: CertificateUsage;
  readonly type: CertificateType | null;
  readonly certificate: Buffer;
}

/** The fields an upload may carry, in either encoding; anything else is refused as the JSON routes refuse unknown fields. */
const UPLOAD_FIELDS: readonly string[] = ['name', 'usage', 'type', 'certificate'];

/** The same 422 the validation pipe gives for a field no DTO declares (forbidNonWhitelisted). */
function refuseUnknownFields(fieldNames: readonly string[]): void {
  const unknown = fieldNames.filter((field) => !UPLOAD_FIELDS.includes(field));
  if (unknown.length > 0) throw new ValidationFailedException(Object.fromEntries(unknown.map((field) => [field, [`The ${field} field is not allowed`]])));
}

/** Larger than any sane certificate bundle; the reader applies its own, tighter limit. */
const MAX_UPLOAD_BYTES = 1024 * 1024;

/** A file cut off at MAX_UPLOAD_BYTES is past the reader's limit too: refused in the reader's words. */
function tooLarge(): DomainError {
  return certificateTooLarge(`The upload is larger than ${DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES} bytes`, { max_bytes: DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES });
}

interface MultipartPart {
  readonly type: 'file' | 'field';
  readonly fieldname: string;
  readonly value?: unknown;
  toBuffer(): Promise<Buffer>;
  readonly file?: { truncated?: boolean; resume?: () => void };
}

async function readMultipart(request: FastifyRequest): Promise<Record<string, string | Buffer>> {
  const fields: Record<string, string | Buffer> = {};
  // Every part's name with its text ('' for files), for the rules JSON bodies get: known fields only, no NUL.
  const texts = new Map<string, string>();
  const parts = (request as unknown as { parts(options: object): AsyncIterable<MultipartPart> }).parts({ limits: { fileSize: MAX_UPLOAD_BYTES } });
  try {
    for await (const part of parts) {
      refuseUnnamedPart(part.fieldname);
      // A field sent twice (two usages, two names) is refused, not the last one taken, as the key routes refuse it.
      if (texts.has(part.fieldname)) {
        part.file?.resume?.();
        throw new ValidationFailedException({ [part.fieldname]: [`The ${part.fieldname} field may be sent only once`] });
      }
      texts.set(part.fieldname, part.type === 'file' ? '' : String(part.value ?? ''));
      if (!UPLOAD_FIELDS.includes(part.fieldname)) {
        // Read past it (a file part must be drained for the next part to arrive); refused once the body is read.
        part.file?.resume?.();
      } else if (part.type === 'file') {
        const content = await part.toBuffer();
        if (part.file?.truncated) throw tooLarge();
        fields[part.fieldname] = content;
        // Only the certificate is bytes: name, usage or type sent as a file part is text, checked as a field part is.
        if (part.fieldname !== 'certificate') texts.set(part.fieldname, content.toString('utf8'));
      } else {
        fields[part.fieldname] = String(part.value ?? '');
      }
    }
  } catch (error) {
    if (error instanceof DomainError || error instanceof ValidationFailedException) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new ValidationFailedException({ certificate: ['Send exactly one certificate file and the name and usage fields'] });
    }
    if (code === 'FST_PROTO_VIOLATION') throw new ValidationFailedException({ body: [PROTOTYPE_PART_NAME_MESSAGE] });
    // Not a rule the fields broke: the body itself is malformed (no boundary, cut off inside a part), as unparseable JSON is.
    throw new BadRequestException({ message: 'The multipart body could not be read', code: 'INVALID_BODY' });
  }
  const unsafeField = firstUnsafeTextField(Object.fromEntries(texts));
  if (unsafeField !== null) throw new ValidationFailedException({ [unsafeField]: [UNSAFE_TEXT_MESSAGE] }, 'INVALID_CHARACTERS');
  const undecodable = firstUndecodableField(texts);
  if (undecodable !== null) throw new ValidationFailedException({ [undecodable]: [UNDECODABLE_TEXT_MESSAGE] }, 'INVALID_CHARACTERS');
  refuseUnknownFields([...texts.keys()]);
  return fields;
}

function text(value: string | Buffer | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

/** Reads and validates the form fields; the certificate bytes themselves are checked by the domain's reader. */
export async function readCertificateUploadForm(request: FastifyRequest): Promise<CertificateUploadForm> {
  const isMultipart = (request as unknown as { isMultipart?: () => boolean }).isMultipart?.() === true;
  const raw: Record<string, string | Buffer | undefined> = isMultipart ? await readMultipart(request) : jsonFields(request.body);
  const errors: Record<string, string[]> = {};
  const name = text(raw['name'])?.trim();
  if (!name) errors['name'] = ['The name field is required'];
  else if (characterCount(name) > 255) errors['name'] = ['The name may not be greater than 255 characters'];
  // A name is shown beside a partner's and in messages and logs: no line breaks, tabs, escape sequences, as a partner's name.
  else if (hasControlCharacters(name)) errors['name'] = ['The name must not contain control characters (line breaks, tabs, NUL)'];
  const usage = text(raw['usage']);
  if (!usage) errors['usage'] = ['The usage field is required'];
  else if (!(CERTIFICATE_USAGES as readonly string[]).includes(usage)) errors['usage'] = [`The usage must be one of: ${CERTIFICATE_USAGES.join(', ')}`];
  const type = text(raw['type']) ?? null;
  if (type !== null && !(CERTIFICATE_TYPES as readonly string[]).includes(type)) errors['type'] = [`The type must be one of: ${CERTIFICATE_TYPES.join(', ')}`];
  const certificate = raw['certificate'];
  if (certificate === undefined || certificate.length === 0) errors['certificate'] = ['The certificate file is required'];
  if (Object.keys(errors).length > 0 || !name || certificate === undefined) throw new ValidationFailedException(errors);
  return {
    name,
    usage: usage as CertificateUsage,
    type: type as CertificateType | null,
    certificate: Buffer.isBuffer(certificate) ? certificate : Buffer.from(certificate, 'utf8'),
  };
}

/** The JSON form's fields, each a string when given: any other value is refused under its name, never taken as absent. */
function jsonFields(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  refuseCrowdedObjects(record);
  refuseUnknownFields(Object.keys(record));
  // None of them is nullable: a JSON null is a wrong type, not the field left out.
  const wrongTypes = UPLOAD_FIELDS.filter((field) => record[field] !== undefined && typeof record[field] !== 'string');
  if (wrongTypes.length > 0) throw new ValidationFailedException(Object.fromEntries(wrongTypes.map((field) => [field, [`The ${field} must be a string`]])));
  const pick = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
  return { name: pick('name'), usage: pick('usage'), type: pick('type'), certificate: pick('certificate') };
}
