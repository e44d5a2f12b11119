import type { Fault } from './fault';

/** Everything the test AS2 partner needs; PEM texts, not file names, so tests can pass generated keys directly. */
export interface TestPartnerOptions {
  /** 0 (the default) takes any free port. */
  port?: number;
  /** Defaults to 127.0.0.1: a test tool listens on loopback unless told otherwise. */
  host?: string;
  /** Where AS2 messages are posted; defaults to /as2. */
  path?: string;
  as2Id: string;
  /** PEM private key: decrypts incoming messages and signs MDNs. */
  keyPem: string;
  certPem: string;
  /** The one trusted sender. */
  partnerAs2Id: string;
  /** PEM certificate the sender's signatures are verified against. */
  partnerCertPem: string;
  /** Received payloads are written here when set. */
  inboxDir?: string;
  tls?: { keyPem: string; certPem: string };
  faults?: Fault[];
  /** Larger request bodies are refused with 413; defaults to 64 MiB. */
  maxBodyBytes?: number;
  /** A request (headers and body) taking longer is cut off; defaults to 60 s. */
  requestTimeoutMs?: number;
  /** Receives one JSON line per message; defaults to stdout. */
  log?: (line: string) => void;
}

export const defaultPath = '/as2';
export const defaultMaxBodyBytes = 64 * 1024 * 1024;
export const defaultRequestTimeoutMs = 60_000;
