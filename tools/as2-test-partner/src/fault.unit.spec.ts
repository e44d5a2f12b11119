import { describeFault, parseFault } from './fault';

describe('parseFault', () => {
  it.each(['wrong-mic', 'mislabelled-mic', 'unsigned-mdn', 'http-500', 'drop'])('accepts %s', (text) => {
    expect(parseFault(text)).toEqual({ kind: text });
  });

  it('reads the delay of slow:<ms>', () => {
    expect(parseFault('slow:1500')).toEqual({ kind: 'slow', delayMs: 1500 });
    expect(describeFault(parseFault('slow:1500'))).toBe('slow:1500');
  });

  it.each(['slow', 'slow:', 'slow:-1', 'slow:1.5', 'slow:99999999', 'WRONG-MIC', 'explode'])('refuses %s, listing the valid faults', (text) => {
    expect(() => parseFault(text)).toThrow(/wrong-mic\|mislabelled-mic\|unsigned-mdn\|http-500\|slow:<ms>\|drop/);
  });
});
