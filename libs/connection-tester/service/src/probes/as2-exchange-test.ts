import {
  As2Error,
  buildAs2Message,
  readMdn,
  type As2Certificate,
  type BuildAs2MessageOptions,
  type ContentCipher,
  type DigestAlgorithm,
  type MdnResult,
  type OutgoingAs2Message,
} from '@as2-partners/as2';
import { receivedMicText } from './received-mic-text';
import { httpExchange, isHttpAnswer, openEndpoint, serverFacts, type EndpointTarget, type HttpAnswer, type ProbeSettings } from './endpoint-probe';
import type { ProbeOutcome, ResultValue } from './probe-outcome';
import { ProbeTimeline, stepStart } from './probe-timeline';
import { outcomeWithoutCredentialEcho } from './credential-echo';

/** An asynchronous MDN as it reached the receipt route. */
export interface ReceivedMdn {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Builds the message; signing happens where our key is kept (the keystore's port), never here. */
export type As2MessageBuilder = (options: Omit<BuildAs2MessageOptions, 'sign'> & { sign?: { algorithm: DigestAlgorithm } }) => Promise<OutgoingAs2Message>;

/** For unsigned messages: nothing to keep away from the tester. */
export const unsignedMessageBuilder: As2MessageBuilder = async ({ sign, ...options }) => {
  if (sign) throw new Error('An unsigned builder was asked to sign');
  return buildAs2Message(options);
};

export interface As2ExchangePlan {
  readonly testType: 'mdn' | 'full';
  readonly testId: string;
  readonly as2From: string;
  readonly as2To: string;
  /**
   * Our instance's my_email: the message's Disposition-Notification-To (RFC 4130 §7.3, the MDN requester's address; an
   * async MDN's URL goes in Receipt-Delivery-Option) and From (RFC 9110 §10.1.2); null: none known, libs/as2's fallback.
   */
  readonly ourEmail: string | null;
  readonly sign: { readonly algorithm: DigestAlgorithm } | null;
  readonly build: As2MessageBuilder;
  readonly encrypt: { readonly certificate: As2Certificate; readonly algorithm: ContentCipher } | null;
  readonly compress: boolean;
  /** The partner's certificates that may sign its MDNs; a signed MDN is requested when there is one. */
  readonly partnerSignatureCertificates: readonly As2Certificate[];
  readonly micAlgorithm: DigestAlgorithm;
  /**
   * The partner's MDN settings: `signed` false says it returns unsigned MDNs, so an unsigned answer to the (optional)
   * request for a signed one is a warning, not a failure; `micAlgorithm` is the one the signed MDN is asked to use.
   */
  readonly mdn: { readonly signed: boolean; readonly micAlgorithm: DigestAlgorithm };
  /** The receipt route, how to announce the message before sending (any replica's route may get its MDN) and wait for it; null asks for a synchronous MDN. */
  readonly asyncMdn: {
    readonly url: string;
    readonly expect: (messageId: string, timeoutMs: number) => Promise<void>;
    readonly wait: (messageId: string, timeoutMs: number) => Promise<ReceivedMdn | null>;
  } | null;
  /** `Basic …` when the partner wants HTTP authentication (never recorded). */
  readonly authorization: string | null;
  readonly now: Date;
}

/** The payload a test delivers: it says plainly what it is, since AS2 has no test flag and the partner's back end gets it. */
export function connectionTestPayload(testId: string, now: Date): Buffer {
  return Buffer.from(
    `This is an AS2 connection test sent by the as2-partners connection tester (test ${testId}, ${now.toISOString()}).\r\n` +
      'It is not a business document: please discard it.\r\n',
  );
}

function mdnFormatFailure(error: unknown): string {
  return error instanceof As2Error ? `The answer is not a well-formed MDN: ${error.message}` : 'The answer could not be read as an MDN';
}

/**
 * `mdn` (unsigned content asking for a synchronous MDN) and `full` (signed, encrypted, compressed as configured, MIC
 * checked) over the endpoint's checked connection. Each check is a timeline step whose details say what went wrong.
 */
export async function runAs2ExchangeTest(target: EndpointTarget, plan: As2ExchangePlan, settings: ProbeSettings): Promise<ProbeOutcome> {
  // The MDN is the partner's text: a server that reflects its request may put the credential in any of its fields.
  return outcomeWithoutCredentialEcho(await exchange(target, plan, settings), plan.authorization);
}

async function exchange(target: EndpointTarget, plan: As2ExchangePlan, settings: ProbeSettings): Promise<ProbeOutcome> {
  const timeline = new ProbeTimeline();
  const results: Record<string, ResultValue> = {};
  const signedMdn = plan.partnerSignatureCertificates.length > 0;
  let message: OutgoingAs2Message;
  const building = stepStart();
  try {
    message = await plan.build({
      payload: connectionTestPayload(plan.testId, plan.now),
      fileName: `connection-test-${plan.testId}.txt`,
      contentType: 'text/plain',
      as2From: plan.as2From,
      as2To: plan.as2To,
      ...(plan.ourEmail !== null ? { from: plan.ourEmail } : {}),
      subject: 'AS2 connection test (not a business document)',
      date: plan.now,
      ...(plan.sign ? { sign: plan.sign } : {}),
      ...(plan.encrypt ? { encrypt: plan.encrypt } : {}),
      ...(plan.compress ? { compress: 'before-signing' as const } : {}),
      mdn: {
        ...(plan.ourEmail !== null ? { returnAddress: plan.ourEmail } : {}),
        ...(signedMdn ? { signed: { micAlgorithms: [plan.mdn.micAlgorithm] } } : {}),
        ...(plan.asyncMdn ? { asyncUrl: plan.asyncMdn.url } : {}),
      },
      micAlgorithm: plan.micAlgorithm,
    });
  } catch (error) {
    const details = `The test message could not be built${plan.sign ? ' and signed with our key' : ''}: ${error instanceof Error ? error.message : 'unknown error'}`;
    timeline.record('AS2 message built', 'failure', building, details);
    return { results: { as2_protocol: 'not_tested', error: details }, timeline: timeline.steps };
  }
  const open = await openEndpoint(target, settings, timeline);
  const https = target.url.protocol === 'https:';
  if ('stage' in open) {
    results['connectivity'] = open.stage === 'tls' || open.stage === 'certificate' ? 'success' : 'failed';
    if (https) results['ssl_validation'] = open.stage === 'tls' || open.stage === 'certificate' ? 'failed' : 'not_tested';
    results['as2_protocol'] = 'not_tested';
    results['error'] = open.error;
    return { results, timeline: timeline.steps };
  }
  results['connectivity'] = 'success';
  if (https) results['ssl_validation'] = 'success';
  const fail = (error: string) => {
    results['as2_protocol'] = 'failed';
    results['error'] = error;
    results['response_time_ms'] = timeline.elapsedMs();
    return { results, timeline: timeline.steps };
  };

  // Announced before sending: the MDN may reach a receipt route before the send returns.
  if (plan.asyncMdn) await plan.asyncMdn.expect(message.messageId, Math.max(0, open.deadline - Date.now()));
  let started = stepStart();
  results['message_id'] = message.messageId;
  const headers: Record<string, string> = { ...message.headers, 'User-Agent': 'as2-partners-connection-tester' };
  if (plan.authorization) headers['Authorization'] = plan.authorization;
  const answer = await httpExchange(
    open,
    { method: 'POST', path: `${target.url.pathname}${target.url.search}`, headers, body: message.body },
    settings.maxResponseBytes,
    target.timeoutMs,
  );
  const security = [plan.sign ? `signed ${plan.sign.algorithm.toUpperCase()}` : 'unsigned', plan.encrypt ? `encrypted ${plan.encrypt.algorithm.toUpperCase()}` : 'unencrypted', ...(plan.compress ? ['compressed'] : [])].join(', ');
  if (!isHttpAnswer(answer)) {
    timeline.record('AS2 message sent', 'failure', started, answer.details);
    return fail(answer.details);
  }
  Object.assign(results, serverFacts(answer.headers, plan.authorization));
  results['http_status'] = answer.status;
  if (answer.status < 200 || answer.status >= 300) {
    // The status text is the partner's: runAs2ExchangeTest cleans the credential from the whole outcome.
    const details = `HTTP ${answer.status}${answer.statusText ? ' ' + answer.statusText : ''}: the partner did not accept the message`;
    timeline.record('AS2 message sent', 'failure', started, details);
    return fail(details);
  }
  timeline.record('AS2 message sent', 'success', started, `Message ${message.messageId} (${message.body.length} bytes, ${security}) accepted with HTTP ${answer.status}`);

  started = stepStart();
  let mdn: ReceivedMdn | HttpAnswer;
  if (plan.asyncMdn) {
    const remaining = Math.max(0, open.deadline - Date.now());
    const received = await plan.asyncMdn.wait(message.messageId, remaining);
    if (!received) {
      const details = `No asynchronous MDN arrived at ${plan.asyncMdn.url} within ${Math.round(target.timeoutMs / 1000)} seconds`;
      timeline.record('MDN received (async)', 'failure', started, details);
      return fail(details);
    }
    timeline.record('MDN received (async)', 'success', started, `Asynchronous MDN received (${received.body.length} bytes)`);
    mdn = received;
  } else {
    if (answer.body.length === 0 || !answer.headers['content-type']) {
      const details = `The partner answered HTTP ${answer.status} without an MDN`;
      timeline.record('MDN received', 'failure', started, details);
      return fail(details);
    }
    timeline.record('MDN received', 'success', started, `Synchronous MDN received (${answer.body.length} bytes)`);
    mdn = answer;
  }

  started = stepStart();
  let read: MdnResult;
  try {
    read = readMdn({
      headers: mdn.headers,
      body: mdn.body,
      partnerCertificates: plan.partnerSignatureCertificates,
      // RFC 4130 §7.4.3 asks the MIC of a signed receipt; pyas2lib returns none for an unsigned message even then
      expected: { messageId: message.messageId, ...(plan.testType === 'full' ? { mic: message.mic, micOptional: !plan.sign, micIn: message.micIn } : {}) },
      requireSignature: signedMdn && plan.mdn.signed,
      maxBytes: settings.maxResponseBytes,
    });
  } catch (error) {
    const details = mdnFormatFailure(error);
    timeline.record('MDN format', 'failure', started, details);
    return fail(details);
  }
  if (read.status === 'message-id-mismatch') {
    timeline.record('MDN format', 'failure', started, read.reason);
    return fail(read.reason);
  }
  const disposition = `${read.disposition.type}${read.disposition.modifier ? '/' + read.disposition.modifier : ''}${read.disposition.description ? ': ' + read.disposition.description : ''}`;
  results['mdn_disposition'] = disposition;
  timeline.record('MDN format', 'success', started, `Well-formed MDN answering ${message.messageId}`);

  started = stepStart();
  if (read.status === 'bad-signature') {
    timeline.record('MDN signature', 'failure', started, read.reason);
    results['certificate_validation'] = 'failed';
    return fail(read.reason);
  } else if (read.signed && !read.signer) {
    // Read unverified: its disposition and MIC still decide below.
    timeline.record('MDN signature', 'warning', started, 'The MDN is signed, but no signature certificate is on file for the partner to verify it');
    results['certificate_validation'] = 'not_tested';
  } else if (read.signed) {
    timeline.record('MDN signature', 'success', started, `Signed by ${read.signer?.describe() ?? 'the partner'}: verified with the partner's signature certificate`);
    results['certificate_validation'] = 'success';
  } else if (signedMdn) {
    // Asked as optional (RFC 4130 §7.3): a partner whose settings say it does not sign its MDNs may leave it out.
    timeline.record('MDN signature', 'warning', started, "Unsigned MDN: a signed one was asked as optional, and the partner's settings say its MDNs are unsigned (mdn.signed false)");
    results['certificate_validation'] = 'not_tested';
  } else {
    timeline.record('MDN signature', 'success', started, 'Unsigned MDN, as requested (no signature certificate is on file for the partner)');
    results['certificate_validation'] = 'not_tested';
  }

  if (plan.testType === 'mdn') {
    started = stepStart();
    const ok = read.status !== 'failed';
    timeline.record('MDN disposition', ok ? 'success' : 'warning', started, ok ? `Disposition: ${disposition}` : `The partner answered with an error disposition (${disposition}); the MDN path itself works`);
    results['as2_protocol'] = 'success';
    results['response_time_ms'] = timeline.elapsedMs();
    return { results, timeline: timeline.steps };
  }

  started = stepStart();
  if (read.status === 'failed') {
    timeline.record('MDN disposition', 'failure', started, `The partner could not process the message: ${disposition}`);
    return fail(`Disposition ${disposition}`);
  }
  timeline.record('MDN disposition', read.status === 'delivered-with-warning' ? 'warning' : 'success', started, `Disposition: ${disposition}`);

  started = stepStart();
  if (read.status === 'mic-mismatch') {
    // Ours in the digest the MDN named, when we compute that one: the values then compare like with like.
    const named = read.receivedMic?.algorithm;
    const ours = named && named !== message.mic.algorithm ? message.micIn(named) : message.mic;
    const details = `MIC mismatch: expected ${ours.value} (${ours.algorithm}) got ${receivedMicText(read.receivedMic)}`;
    timeline.record('MIC verification', 'failure', started, details);
    results['mic_match'] = false;
    return fail(details);
  }
  if (read.receivedMic) {
    const ours = read.receivedMic.algorithm && read.receivedMic.algorithm !== message.mic.algorithm ? message.micIn(read.receivedMic.algorithm) : message.mic;
    timeline.record('MIC verification', 'success', started, `The returned MIC matches ours: ${ours.value} (${ours.algorithm})`);
    results['mic_match'] = true;
  } else {
    timeline.record('MIC verification', 'warning', started, `The partner returned no MIC for our unsigned message, so delivery is not proven byte for byte (ours: ${message.mic.value} (${message.mic.algorithm}))`);
    results['mic_match'] = null;
  }
  results['as2_protocol'] = 'success';
  results['response_time_ms'] = timeline.elapsedMs();
  return { results, timeline: timeline.steps };
}
