import type { Decider } from '@as2-partners/kernel';
import { DomainError } from '@as2-partners/kernel';

/** Given past events, when a command, then new events or a coded DomainError. */
export function deciderSpecification<C, S, E>(decider: Decider<C, S, E>) {
  return (given: readonly E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: readonly E[]) => expect(run()).toEqual(expected),
        thenNothing: () => expect(run()).toEqual([]),
        thenError: (code: string, extra: { field?: string; details?: Record<string, unknown> } = {}) => {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainError);
          const domainError = thrown as DomainError;
          expect(domainError.code).toBe(code);
          if ('field' in extra) expect(domainError.field).toBe(extra.field);
          if (extra.details) expect(domainError.details).toEqual(extra.details);
        },
      };
    },
  });
}
