import type { LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogLevel } from '../config/platform-config';

const SEVERITY: readonly NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const CUT: Readonly<Record<LogLevel, NestLogLevel>> = { fatal: 'fatal', error: 'error', warn: 'warn', info: 'log', debug: 'debug', trace: 'verbose' };

/** Nest's levels at or above LOG_LEVEL (Nest calls info `log` and trace `verbose`). */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  return SEVERITY.slice(0, SEVERITY.indexOf(CUT[level]) + 1);
}
