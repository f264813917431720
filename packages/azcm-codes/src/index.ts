/**
 * `@agent-gateway/azcm-codes`: the Azure Connected Machine agent (azcmagent) error code catalog in English
 * and German, matchers that find known failures in agent logs and console output, and the catalog of
 * network endpoints the agent needs per Azure cloud. Pure: no I/O, no `node:` imports.
 *
 * @packageDocumentation
 */
export { azcmCodes } from './catalog.ts';
export { AzcmCodesError, type AzcmCodesErrorCode } from './errors.ts';
export { lookupCode, parseCodeNumber } from './lookup.ts';
export type {
  ArcEndpoint,
  AzcmCategory,
  AzcmCode,
  AzcmCodeText,
  Cloud,
  Finding,
  Lang,
  NetworkFailureKind,
} from './types.ts';
