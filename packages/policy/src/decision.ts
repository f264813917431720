/**
 * Decisions are plain values with a stable reason code. Each refusal maps onto one gateway event:
 * 105 (target-rejected: host, port, client certificate, resolved address) or 106 (tls-rejected: SNI,
 * TLS version, client fingerprint). `fingerprint-not-listed` allows (the `log` mode) but says that no
 * entry matched, so that the gateway can report it. Authority parse errors (see `parseAuthority`) belong to event 104.
 */
export const DECISION_REASONS = {
  // allowed
  'host-allowed': { allow: true, event: undefined },
  'ip-allowed': { allow: true, event: undefined },
  'sni-matches': { allow: true, event: undefined },
  'sni-absent-ip-target': { allow: true, event: undefined },
  'tls-version-ok': { allow: true, event: undefined },
  'certificate-subject-allowed': { allow: true, event: undefined },
  'certificate-unrestricted': { allow: true, event: undefined },
  'address-public': { allow: true, event: undefined },
  'address-allowed-network': { allow: true, event: undefined },
  'fingerprint-allowed': { allow: true, event: undefined },
  'fingerprint-unchecked': { allow: true, event: undefined },
  'fingerprint-not-listed': { allow: true, event: undefined },
  // refused: event 105 (target-rejected)
  'host-invalid': { allow: false, event: 105 },
  'host-denied': { allow: false, event: 105 },
  'host-not-allowed': { allow: false, event: 105 },
  'ip-not-allowed': { allow: false, event: 105 },
  'port-invalid': { allow: false, event: 105 },
  'port-not-allowed': { allow: false, event: 105 },
  'certificate-missing': { allow: false, event: 105 },
  'certificate-subject-invalid': { allow: false, event: 105 },
  'certificate-subject-not-allowed': { allow: false, event: 105 },
  'address-invalid': { allow: false, event: 105 },
  'address-denied': { allow: false, event: 105 },
  'address-unspecified': { allow: false, event: 105 },
  'address-loopback': { allow: false, event: 105 },
  'address-private': { allow: false, event: 105 },
  'address-link-local': { allow: false, event: 105 },
  'address-multicast': { allow: false, event: 105 },
  'address-reserved': { allow: false, event: 105 },
  // refused: event 106 (tls-rejected)
  'sni-missing': { allow: false, event: 106 },
  'sni-invalid': { allow: false, event: 106 },
  'sni-mismatch': { allow: false, event: 106 },
  'tls-version-too-low': { allow: false, event: 106 },
  'fingerprint-not-allowed': { allow: false, event: 106 },
} as const satisfies Record<string, { allow: boolean; event: 105 | 106 | undefined }>;

/** A stable reason code; see {@link DECISION_REASONS}. */
export type DecisionReason = keyof typeof DECISION_REASONS;

/** The outcome of a check: allowed or not, why, and which rule decided (when one did). */
export interface Decision {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  /** The rule that decided, e.g. `allowedHosts:*.example.com` or `preset:azure-arc:AzureCloud:*.his.arc.azure.com`. */
  readonly ruleId?: string;
  /** A finer reason where there is one, e.g. the host rejection code (`ambiguous-ipv4`) for `host-invalid`. */
  readonly detail?: string;
}

/**
 * The gateway event a refusal belongs to: 105 (target-rejected) or 106 (tls-rejected); `undefined` for
 * an allowing decision.
 *
 * @example
 * ```ts
 * eventIdForReason('sni-mismatch'); // 106
 * ```
 */
export function eventIdForReason(reason: DecisionReason): 105 | 106 | undefined {
  return DECISION_REASONS[reason].event;
}

/** Creates a frozen decision value; decisions are shared and must never be mutated. */
export function decision(reason: DecisionReason, ruleId?: string, detail?: string): Decision {
  const value: { allow: boolean; reason: DecisionReason; ruleId?: string; detail?: string } = {
    allow: DECISION_REASONS[reason].allow,
    reason,
  };
  if (ruleId !== undefined) value.ruleId = ruleId;
  if (detail !== undefined) value.detail = detail;
  return Object.freeze(value);
}
