/** Default policy of our own TSA, under IANA's documentation enterprise number (RFC 5612): never a real policy. */
export const DEFAULT_TSA_POLICY = '1.3.6.1.4.1.32473.3161.1';
