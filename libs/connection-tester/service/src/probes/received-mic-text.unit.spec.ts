import { receivedMicText } from './received-mic-text';

describe("the MIC step's words for the MIC an MDN returned", () => {
  it.each([
    [undefined, 'none'],
    [{ value: 'q1w2', algorithmName: 'sha-256', algorithm: 'sha256' as const }, 'q1w2 (sha-256)'],
    [{ value: 'q1w2', algorithmName: '' }, 'q1w2 (no algorithm named: RFC 4130 asks for "<mic>, <algorithm>", so it proves nothing)'],
    [{ value: 'q1w2', algorithmName: 'md5' }, 'q1w2 (md5, a digest algorithm we do not compute, so it cannot be compared)'],
  ])('%j: %s', (received, text) => {
    expect(receivedMicText(received)).toBe(text);
  });
});
