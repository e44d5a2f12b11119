import { nestLogLevels } from './nest-log-levels';

describe('nestLogLevels', () => {
  it('maps LOG_LEVEL to Nest levels at or above it', () => {
    expect(nestLogLevels('info')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(nestLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(nestLogLevels('fatal')).toEqual(['fatal']);
    expect(nestLogLevels('trace')).toEqual(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
  });
});
