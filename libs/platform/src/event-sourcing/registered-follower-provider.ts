import { Logger, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import { PROJECTION_REGISTRY, type FollowerLogger, type ProjectionRegistry } from '@as2-partners/kernel';
import { followerLoggerOf } from './follower-logger';

/** A follower class as services write one: the dependencies its kind takes from the process, then its own arguments. */
export type FollowerClass<F, D, Extra extends unknown[]> = new (dependencies: D, ...extra: Extra) => F;

/**
 * Makes the provide function of one kind of follower: `provide(Class, loggerName, [extra tokens])` gives a provider that
 * builds the follower's dependencies from the process's values of `tokens` (and a logger under `loggerName`), passes
 * the values of the extra tokens after them, and `register`s it in the ProjectionRegistry, which starts and replays it.
 */
export function registeredFollowerProvider<Base, D>(
  tokens: readonly InjectionToken[],
  dependenciesOf: (values: unknown[], logger: FollowerLogger) => D,
  register: (registry: ProjectionRegistry, follower: Base) => void,
) {
  return <F extends Base, Extra extends unknown[]>(follower: FollowerClass<F, D, Extra>, loggerName: string, inject: InjectionToken[] = []): FactoryProvider<F> => {
    const logger = new Logger(loggerName);
    return {
      provide: follower,
      inject: [PROJECTION_REGISTRY, ...tokens, ...inject],
      useFactory: (registry: ProjectionRegistry, ...values: unknown[]) => {
        const instance = new follower(dependenciesOf(values.slice(0, tokens.length), followerLoggerOf(logger)), ...(values.slice(tokens.length) as Extra));
        register(registry, instance);
        return instance;
      },
    };
  };
}
