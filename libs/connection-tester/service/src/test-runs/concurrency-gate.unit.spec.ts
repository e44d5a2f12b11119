import { DomainError } from '@as2-partners/kernel';
import { ConcurrencyGate } from './concurrency-gate';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return null;
};

describe('ConcurrencyGate', () => {
  it('refuses a tenant beyond its running tests at once, and the process beyond its total, then lets them in again', () => {
    const gate = new ConcurrencyGate(2, 3);
    const a1 = gate.enter('a');
    gate.enter('a');
    expect(codeOf(() => gate.enter('a'))).toBe('TOO_MANY_CONCURRENT_TESTS');
    gate.enter('b');
    expect(codeOf(() => gate.enter('c'))).toBe('TESTER_BUSY');
    a1();
    a1(); // leaving twice frees one place only
    expect(codeOf(() => gate.enter('c'))).toBeNull();
    expect(codeOf(() => gate.enter('d'))).toBe('TESTER_BUSY');
  });
});

describe('ConcurrencyGate lanes', () => {
  it("never refuses a manual test because the tenant's monitors run, and bounds the monitors on their own", () => {
    const gate = new ConcurrencyGate(3, 50);
    for (let i = 0; i < 3; i++) gate.enter('a', 'monitoring');
    expect(codeOf(() => gate.enter('a', 'monitoring'))).toBe('TOO_MANY_CONCURRENT_TESTS');
    for (let i = 0; i < 3; i++) expect(codeOf(() => gate.enter('a'))).toBeNull();
    expect(codeOf(() => gate.enter('a'))).toBe('TOO_MANY_CONCURRENT_TESTS');
  });
});
