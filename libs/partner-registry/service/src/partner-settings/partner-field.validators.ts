import { characterCount, hasControlCharacters } from '@as2-partners/kernel';
import { AS2_ID_PATTERN, isHttpsUrl } from '@as2-partners/partner-registry-domain';
import ipaddr from 'ipaddr.js';
import { isEmail, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isCanonicalCidr, propertyRule, withHexIpv4Tail } from '@as2-partners/platform';

/** What an AS2 id that breaks the format is told, named by `label` (a partner's `AS2 ID`, an instance's `my AS2 ID`). */
const as2IdMessage =
  (label: string) =>
  (args: ValidationArguments): string => {
    const value = args.value as unknown;
    if (typeof value !== 'string') return `The ${label} must be a string`;
    if (/\s/.test(value)) return `The ${label} must not contain spaces`;
    if (value.length === 0 || value.length > 50) return `The ${label} must be between 1 and 50 characters`;
    return `The ${label} may only contain letters, digits, hyphens and underscores`;
  };

/** AS2 id format (code INVALID_AS2_ID_FORMAT); absence is left to @IsDefined so a missing id only says "required". */
export function IsAs2Id(options: ValidationOptions = {}, label = 'AS2 ID'): PropertyDecorator {
  const validate = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && AS2_ID_PATTERN.test(value));
  return propertyRule({ name: 'isAs2Id', validate, message: as2IdMessage(label), code: 'INVALID_AS2_ID_FORMAT' }, options);
}

/** An absolute https:// URL (code INVALID_ENDPOINT_URL). */
export function IsHttpsEndpoint(options: ValidationOptions = {}): PropertyDecorator {
  const validate = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && isHttpsUrl(value));
  return propertyRule({ name: 'isHttpsEndpoint', validate, message: 'The URL must be a valid HTTPS endpoint', code: 'INVALID_ENDPOINT_URL' }, options);
}

/** A required string of bounded length with one message per failure (required, not a string, too short or long). */
export function IsRequiredText(label: string, max: number): PropertyDecorator {
  return propertyRule({
    name: 'isRequiredText',
    validate: (value) => typeof value === 'string' && value.trim().length > 0 && characterCount(value) <= max,
    message: (args: ValidationArguments) => {
      const value = args.value as unknown;
      if (value === undefined || value === null) return `The ${label} field is required`;
      if (typeof value !== 'string') return `The ${label} must be a string`;
      return `The ${label} must be between 1 and ${max} characters`;
    },
  });
}

/**
 * Text that ends up in an AS2/MIME or HTTP header: no CR, LF, TAB, NUL or other control character. A partner's setting
 * is refused as INVALID_PARTNER_SETTING; the fields of other resources (`code` null) as the plain VALIDATION_FAILED.
 */
export function IsHeaderSafeText(label: string, code: string | null = 'INVALID_PARTNER_SETTING'): PropertyDecorator {
  return propertyRule({
    name: 'isHeaderSafeText',
    validate: (value) => typeof value !== 'string' || !hasControlCharacters(value),
    message: `The ${label} must not contain control characters (line breaks, tabs, NUL)`,
    ...(code === null ? {} : { code }),
  });
}

/**
 * An IPv4 or IPv6 range in canonical CIDR notation (`203.0.113.0/24`, `2001:db8::/32`); a bare address is refused, and
 * so are forms tools read differently (`010.0.0.1/8` is 8.0.0.0/8 to one reader and 10.0.0.0/8 to another).
 */
export function isCidr(value: unknown): value is string {
  // An IPv6 address may end in a dotted IPv4 address (`::ffff:192.0.2.0/120`, `64:ff9b::192.0.2.0/120`: RFC 4291 §2.2), its
  // four parts in plain decimal; it is stored in hexadecimal (normalisedCidr).
  return typeof value === 'string' && value.length <= 64 && isCanonicalCidr(value);
}

/** `203.0.113.7/24` and `203.0.113.0/24` name the same range: stored as the network address. */
export function normalisedCidr(given: string): string {
  const value = withHexIpv4Tail(given);
  const [address, bits] = ipaddr.parseCIDR(value);
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(value) : ipaddr.IPv6.networkAddressFromCIDR(value);
  return `${network.toString()}/${bits}`;
}

/** An address as IsEmail takes the usual ones: a dot-atom local part of at most 64 characters, then a domain of letters, digits and `-` (any case) with a top-level label. */
export const EMAIL_PATTERN = "^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+([A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9]([A-Za-z0-9-]{0,57}[A-Za-z0-9])?)$";
const EMAIL_SYNTAX = new RegExp(EMAIL_PATTERN);

/**
 * An e-mail address as the published pattern has it, ASCII only (an address goes into AS2 and mail headers, and a mail
 * server without SMTPUTF8 takes no other; an internationalised domain in its ASCII form, `xn--` labels, top-level ones
 * too), that IsEmail takes too (its length limits of a local part and of a label).
 */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL_SYNTAX.test(value) && isEmail(value);
}

/** An e-mail address (isEmailAddress); absence is left to the field's other rules (@IsDefined, @IsOptional). */
export function IsEmailAddress(message: string): PropertyDecorator {
  return propertyRule({ name: 'isEmail', validate: (value) => value === undefined || value === null || isEmailAddress(value), message });
}

export function IsCidr(options: ValidationOptions = {}): PropertyDecorator {
  return propertyRule({ name: 'isCidr', validate: isCidr, message: 'Each allowed IP must be an IPv4 or IPv6 range in CIDR notation (e.g. 203.0.113.0/24)' }, options);
}
