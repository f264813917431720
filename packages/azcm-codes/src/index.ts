/**
 * `@agent-gateway/azcm-codes`: the Azure Connected Machine agent (azcmagent) error code catalog in English
 * and German, matchers that find known failures in agent logs and console output, and the catalog of
 * network endpoints the agent needs per Azure cloud. Pure: no I/O, no `node:` imports.
 *
 * @packageDocumentation
 */
export {
  type AnalyzedFinding,
  analyzeLog,
  type FindingStatus,
  type LogAnalysis,
} from './analyze-log.ts';
export { arcEndpoints, CLOUD_NAMES, normalizeRegion } from './arc-endpoints.ts';
export { azcmCodes } from './catalog.ts';
export { type AzcmCodeRange, azcmCodeRanges, codeRangeOf } from './code-ranges.ts';
export { AzcmCodesError, type AzcmCodesErrorCode } from './errors.ts';
export { azcmCodeForMsiExitCode, type ExitCodeInText, findExitCodes } from './exit-codes-in-text.ts';
export {
  FAILURE_FAMILIES,
  type FailureFamily,
  type FamilyContext,
  type FamilyHint,
} from './failure-families.ts';
export { lookupCode, parseCodeNumber } from './lookup.ts';
export { MAX_EVIDENCE_LENGTH, matchLogLine, scanLog } from './match-log-line.ts';
export { codeForNetworkFailure, NETWORK_FAILURE_KINDS } from './network-failure.ts';
export { decodeWindowsBytes, repairMojibake } from './repair-mojibake.ts';
export { searchCodes } from './search-codes.ts';
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
