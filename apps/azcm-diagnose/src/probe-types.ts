import type { NetworkFailureKind } from '@agent-gateway/azcm-codes';

/** The steps of one endpoint check, in order. `proxy` is the CONNECT through a proxy. */
export type PhaseName = 'dns' | 'tcp' | 'proxy' | 'tls' | 'http';

/** One measured step. */
export interface Phase {
  name: PhaseName;
  ok: boolean;
  /** Milliseconds the step took (until it failed, for a failed step). */
  ms: number;
  /** What the step found: addresses, the connected address, the TLS version and issuer, the HTTP status. */
  detail?: string;
}

/** Why an endpoint check failed: a classified kind, the step where it happened and the evidence. */
export interface ProbeFailure {
  kind: NetworkFailureKind;
  phase: PhaseName;
  /** What happened, in English, with the underlying error code where there is one. */
  evidence: string;
}

/** Facts about the TLS session (also on failure when the server sent a certificate). */
export interface TlsFacts {
  version?: string;
  issuer?: string;
  subject?: string;
  authorized: boolean;
  authorizationError?: string;
}

/** The result of probing one host:port. */
export interface ProbeResult {
  phases: Phase[];
  tls?: TlsFacts;
  httpStatus?: number;
  /** The CONNECT answer's status line when a proxy was used. */
  proxyStatus?: number;
  failure?: ProbeFailure;
  totalMs: number;
}

/** What to probe: the name the agent uses, and where to connect (after `--connect-to`). */
export interface ProbeTarget {
  /** The host name used for SNI, the Host header and `--resolve` (as the agent would send it). */
  host: string;
  port: number;
  connectHost: string;
  connectPort: number;
  /** False for plain-HTTP endpoints (port 80): no TLS step, `GET /` in the clear. */
  tls: boolean;
}
