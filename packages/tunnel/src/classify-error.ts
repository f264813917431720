import type { DialFailureKind } from './types.ts';

const dnsCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EAI_NODATA',
  'ENODATA',
  'ESERVFAIL',
  'ENONAME',
]);
const unreachableCodes = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EACCES',
  'EPERM',
]);

/**
 * Classifies a socket or resolver error of a direct dial by its `code`. Pure: the mapping the 502/504
 * answers and the gateway's `network-error` events rely on.
 */
export function classifyDialError(error: unknown): DialFailureKind {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return 'error';
  if (dnsCodes.has(code)) return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return 'timeout';
  if (unreachableCodes.has(code)) return 'unreachable';
  return 'error';
}
