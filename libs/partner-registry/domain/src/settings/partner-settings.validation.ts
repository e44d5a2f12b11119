import { characterCount, hasControlCharacters } from '@as2-partners/kernel';
import { invalidEndpointUrl, invalidPartnerSetting, unsupportedAlgorithm } from '../partner-registry.errors';
import { isEncryptAlgorithm, isMdnMode, isSignAlgorithm } from './algorithms';
import { isHttpsUrl } from './endpoint-url';
import { MAX_FIREWALL_RANGES, type PartnerChanges, type PartnerSettings } from './partner-settings';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkInteger(field: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidPartnerSetting(field, `The ${field} must be an integer between ${min} and ${max}`);
  }
}

function checkText(field: string, value: string | null | undefined, max: number, nullable: boolean): void {
  if (value === undefined || (value === null && nullable)) return;
  if (typeof value !== 'string' || value.trim().length === 0 || characterCount(value) > max) {
    throw invalidPartnerSetting(field, `The ${field} must be between 1 and ${max} characters`);
  }
  checkHeaderText(field, value);
}

/** Every text field of a partner can end up in a header of the messages sent to it. */
function checkHeaderText(field: string, value: string | null | undefined): void {
  if (typeof value === 'string' && hasControlCharacters(value)) {
    throw invalidPartnerSetting(field, `The ${field} must not contain control characters (line breaks, tabs, NUL)`);
  }
}

/** Throws the DomainError for the first rule a change breaks; the edge validates the same rules field by field. */
export function validatePartnerChanges(changes: PartnerChanges): void {
  checkText('name', changes.name, 255, false);
  if (changes.url !== undefined && !isHttpsUrl(changes.url)) throw invalidEndpointUrl('url');
  if (changes.mdnMode !== undefined && !isMdnMode(changes.mdnMode)) {
    throw invalidPartnerSetting('mdn_mode', 'The MDN mode must be one of sync, async, none');
  }
  if (changes.signAlgorithm != null && !isSignAlgorithm(changes.signAlgorithm)) throw unsupportedAlgorithm('sign_algorithm');
  if (changes.encryptAlgorithm != null && !isEncryptAlgorithm(changes.encryptAlgorithm)) {
    throw unsupportedAlgorithm('encrypt_algorithm');
  }
  checkHeaderText('email', changes.email);
  if (changes.email != null && (!EMAIL.test(changes.email) || characterCount(changes.email) > 255)) {
    throw invalidPartnerSetting('email', 'The email must be a valid email address');
  }
  checkText('subject', changes.subject, 255, true);
  if (changes.mdn?.url != null && !isHttpsUrl(changes.mdn.url)) throw invalidEndpointUrl('mdn.url');
  if (changes.mdn?.algorithm != null && !isSignAlgorithm(changes.mdn.algorithm)) throw unsupportedAlgorithm('mdn.algorithm');
  checkInteger('connection.timeout_seconds', changes.connection?.timeoutSeconds, 1, 3600);
  checkInteger('connection.retry_attempts', changes.connection?.retryAttempts, 0, 20);
  checkInteger('connection.retry_interval_seconds', changes.connection?.retryIntervalSeconds, 1, 86400);
  checkText('http_auth.username', changes.httpAuth?.username, 255, true);
  // RFC 7617 §2: the user-id of Basic auth cannot hold a colon (the password can).
  if (changes.httpAuth?.username?.includes(':')) throw invalidPartnerSetting('http_auth.username', 'The HTTP auth username must not contain a colon');
  if (changes.firewall !== undefined && changes.firewall.allowedIps.length > MAX_FIREWALL_RANGES) {
    throw invalidPartnerSetting('firewall.allowed_ips', `The firewall may allow at most ${MAX_FIREWALL_RANGES} ranges`);
  }
}

/** Seed 003: a partner with a station has a contact e-mail (failure notices name it). */
export function validatePartnerSettings(settings: PartnerSettings): void {
  if ((settings.stationId ?? null) !== null && (settings.email ?? null) === null) {
    throw invalidPartnerSetting('email', 'The email field is required when the partner has a station');
  }
}
