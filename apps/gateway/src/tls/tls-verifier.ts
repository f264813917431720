import type { Decision, DecisionReason, Policy } from '@agent-gateway/policy';
import {
  type ClientHello,
  type TlsHandshakeError,
  type TlsHandshakeEvent,
  TlsHandshakeParser,
} from '@agent-gateway/tls-handshake';
import type { TunnelInspector, Verdict } from '@agent-gateway/tunnel';
import { type ClientFingerprint, fingerprintClientHello } from './client-fingerprint.ts';
import { TLS13, tlsVersionName } from './tls-version-name.ts';

/** `ClientCertificatePolicy`: when the client certificate subject is checked. */
export type ClientCertificatePolicy = 'off' | 'when-visible' | 'required';

/** Event 105 reasons the verifier can give (client certificates). */
export type CertificateRejection = 'client-certificate-not-allowed' | 'client-certificate-required';
/** Event 106 reasons the verifier can give. */
export type TlsRejection =
  | 'not-tls'
  | 'sni-missing'
  | 'sni-mismatch'
  | 'version-too-low'
  | 'handshake-too-large'
  | 'fingerprint-not-allowed';

/**
 * What the client's fingerprint check said, for a verified tunnel: `allowed` (an `AllowedClientFingerprints`
 * entry matched), `not-listed` (none did; the `log` mode lets it through), absent while the check is off.
 */
export type FingerprintCheck = 'allowed' | 'not-listed';

/** How the verification of one tunnel ended. */
export type TlsOutcome =
  | {
      kind: 'verified';
      tlsVersion: string;
      sni?: string;
      subject?: string;
      ech: boolean;
      fingerprint: ClientFingerprint;
      fingerprintCheck?: FingerprintCheck;
      /** The label of the `AllowedClientFingerprints` entry the client matched. */
      clientLabel?: string;
    }
  | {
      kind: 'rejected';
      event: 105;
      reason: CertificateRejection;
      tlsVersion?: string;
      sni?: string;
      subject?: string;
      fingerprint?: ClientFingerprint;
    }
  | {
      kind: 'rejected';
      event: 106;
      reason: TlsRejection;
      tlsVersion?: string;
      sni?: string;
      ech?: boolean;
      /** Present once the ClientHello was parsed. */
      fingerprint?: ClientFingerprint;
    }
  | { kind: 'unparseable'; event: 402; error: TlsHandshakeError }
  /** The server ended the handshake with an alert: nothing to verify, the bytes were passed on. */
  | { kind: 'server-alert'; alert: string };

/** What the verifier of one tunnel needs to know. */
export interface TlsVerifierSettings {
  policy: Policy;
  /** The CONNECT host (as the policy allowed it). */
  connectHost: string;
  certificatePolicy: ClientCertificatePolicy;
  /** True when the allowed-subject list is not empty: only then is a subject checked. */
  subjectsRestricted: boolean;
  maxClientHelloBytes?: number;
}

/** {@link TlsVerifierSettings} with the outcome callback of {@link createTlsVerifier}. */
export interface TlsVerifierOptions extends TlsVerifierSettings {
  /** Called once, when the outcome is known (before the verdict that carries it). */
  onOutcome(outcome: TlsOutcome): void;
}

const sniReasons: Partial<Record<DecisionReason, TlsRejection>> = {
  'sni-missing': 'sni-missing',
  'sni-invalid': 'sni-mismatch',
  'sni-mismatch': 'sni-mismatch',
};

type Phase = 'client-hello' | 'server-hello' | 'server-flight' | 'client-certificate' | 'done';

/** Who hears the outcome of a verification (the gateway's per-tunnel state). */
export interface TlsOutcomeListener {
  /** Called once, when the outcome is known (before the verdict that carries it). */
  tlsOutcome(outcome: TlsOutcome): void;
}

/**
 * The gateway's TLS verification of one tunnel, as a tunnel inspector. Client bytes are held by the tunnel
 * until a verdict: the ClientHello until its SNI and version are checked (then `release: 'held'` passes it
 * on), and, on TLS <= 1.2 with a subject check, the client's second flight until its Certificate is
 * checked. Server bytes are only read. The verdict `release: 'all'` ends inspection; the tunnel then splices
 * without looking. A class (one object per tunnel, methods on the prototype), not a bundle of closures.
 *
 * @example
 * ```ts
 * const verifier = new TlsVerifier({ policy, connectHost: 'agent.example', certificatePolicy: 'off',
 *   subjectsRestricted: false }, { tlsOutcome: (outcome) => console.log(outcome.kind) });
 * verifier.onClientData(clientHelloBytes); // { release: 'held' } when SNI and version pass
 * ```
 */
export class TlsVerifier implements TunnelInspector {
  readonly #parser: TlsHandshakeParser;
  readonly #options: TlsVerifierSettings;
  readonly #listener: TlsOutcomeListener;
  readonly #checkSubject: boolean;
  #phase: Phase = 'client-hello';
  #hello: ClientHello | undefined;
  /** Of the first ClientHello (a second one after a HelloRetryRequest is checked for SNI and version only). */
  #fingerprint: ClientFingerprint | undefined;
  #fingerprintDecision: Decision | undefined;
  #negotiated: number | undefined;
  #certificateRequested = false;

  constructor(options: TlsVerifierSettings, listener: TlsOutcomeListener) {
    this.#options = options;
    this.#listener = listener;
    this.#parser = new TlsHandshakeParser(
      options.maxClientHelloBytes === undefined ? {} : { maxClientHelloBytes: options.maxClientHelloBytes },
    );
    this.#checkSubject = options.subjectsRestricted && options.certificatePolicy !== 'off';
  }

  onClientData(chunk: Uint8Array): Verdict {
    return this.#push(chunk, true);
  }

  onServerData(chunk: Uint8Array): Verdict {
    return this.#push(chunk, false);
  }

  #push(chunk: Uint8Array, fromClient: boolean): Verdict {
    if (this.#phase === 'done') return 'need-more';
    const result = fromClient ? this.#parser.pushClient(chunk) : this.#parser.pushServer(chunk);
    let verdict: Verdict = 'need-more';
    for (const event of result.events) {
      const next = this.#handle(event, fromClient);
      if (next === undefined) continue;
      verdict = next;
      if ((this.#phase as Phase) === 'done') return verdict;
    }
    return verdict;
  }

  #finish(outcome: TlsOutcome): Verdict {
    this.#phase = 'done';
    this.#listener.tlsOutcome(outcome);
    if (outcome.kind === 'verified' || outcome.kind === 'server-alert') return RELEASE_ALL;
    if (outcome.kind === 'unparseable')
      return { reject: `TLS handshake could not be parsed: ${outcome.error.code}` };
    return { reject: outcome.reason };
  }

  #verified(subject?: string): Verdict {
    const hello = this.#hello;
    const { policy } = this.#options;
    const decision = this.#fingerprintDecision;
    const check: FingerprintCheck | undefined =
      decision === undefined || policy.fingerprintPolicy === 'off'
        ? undefined
        : decision.reason === 'fingerprint-allowed'
          ? 'allowed'
          : 'not-listed';
    const label = decision?.ruleId === undefined ? undefined : policy.rule(decision.ruleId)?.label;
    return this.#finish({
      kind: 'verified',
      tlsVersion: tlsVersionName(this.#negotiated ?? hello?.highestVersion ?? 0),
      ...(hello?.serverName === undefined ? {} : { sni: hello.serverName }),
      ...(subject === undefined ? {} : { subject }),
      ech: hello?.echOffered ?? false,
      // The verified path always saw a ClientHello first; the fallback only satisfies the type.
      fingerprint: this.#fingerprint ?? { ja4: '', ja3: '' },
      ...(check === undefined ? {} : { fingerprintCheck: check }),
      ...(label === undefined ? {} : { clientLabel: label }),
    });
  }

  #certificateRejected(reason: CertificateRejection, subject?: string): Verdict {
    const hello = this.#hello;
    return this.#finish({
      kind: 'rejected',
      event: 105,
      reason,
      tlsVersion: tlsVersionName(this.#negotiated ?? 0),
      ...(hello?.serverName === undefined ? {} : { sni: hello.serverName }),
      ...(subject === undefined ? {} : { subject }),
      ...(this.#fingerprint === undefined ? {} : { fingerprint: this.#fingerprint }),
    });
  }

  #onClientHello(next: ClientHello): Verdict {
    this.#hello = next;
    const { policy, connectHost } = this.#options;
    this.#fingerprint ??= fingerprintClientHello(next);
    const fingerprint = this.#fingerprint;
    const sni = policy.decideSni(connectHost, next.serverName);
    if (!sni.allow) {
      return this.#finish({
        kind: 'rejected',
        event: 106,
        reason: sniReasons[sni.reason] ?? 'sni-mismatch',
        ...(next.serverName === undefined ? {} : { sni: next.serverName }),
        ech: next.echOffered,
        fingerprint,
      });
    }
    const version = policy.decideTlsVersion(next.highestVersion);
    if (!version.allow) {
      return this.#finish({
        kind: 'rejected',
        event: 106,
        reason: 'version-too-low',
        tlsVersion: tlsVersionName(next.highestVersion),
        ...(next.serverName === undefined ? {} : { sni: next.serverName }),
        ech: next.echOffered,
        fingerprint,
      });
    }
    if (this.#fingerprintDecision === undefined) {
      const decision = policy.decideClientFingerprint(fingerprint.ja4);
      this.#fingerprintDecision = decision;
      if (!decision.allow) {
        return this.#finish({
          kind: 'rejected',
          event: 106,
          reason: 'fingerprint-not-allowed',
          ...(next.serverName === undefined ? {} : { sni: next.serverName }),
          ech: next.echOffered,
          fingerprint,
        });
      }
    }
    this.#phase = 'server-hello';
    return RELEASE_HELD;
  }

  #onError(error: TlsHandshakeError, fromClient: boolean): Verdict {
    // Bytes that never looked like TLS, or a hello beyond the limits, are a refusal (106); anything else that
    // started as TLS but broke is a parse error (402).
    if (fromClient && this.#phase === 'client-hello') {
      if (
        error.code === 'TLS_NOT_TLS' ||
        error.code === 'TLS_SSLV2_HELLO' ||
        error.code === 'TLS_UNSUPPORTED_VERSION'
      ) {
        return this.#finish({ kind: 'rejected', event: 106, reason: 'not-tls' });
      }
      if (error.code === 'TLS_HANDSHAKE_TOO_LARGE' || error.code === 'TLS_RECORD_TOO_LARGE') {
        return this.#finish({ kind: 'rejected', event: 106, reason: 'handshake-too-large' });
      }
    }
    return this.#finish({ kind: 'unparseable', event: 402, error });
  }

  #onServerHello(helloRetryRequest: boolean, negotiated: number): Verdict | undefined {
    if (helloRetryRequest) {
      this.#phase = 'client-hello'; // the second ClientHello is checked like the first
      return undefined;
    }
    this.#negotiated = negotiated;
    const { policy, certificatePolicy } = this.#options;
    if (!policy.decideTlsVersion(negotiated).allow) {
      return this.#finish({
        kind: 'rejected',
        event: 106,
        reason: 'version-too-low',
        tlsVersion: tlsVersionName(negotiated),
        ...(this.#fingerprint === undefined ? {} : { fingerprint: this.#fingerprint }),
      });
    }
    if (!this.#checkSubject) return this.#verified();
    if (negotiated >= TLS13) {
      // The client certificate travels encrypted in TLS 1.3: nothing to see.
      return certificatePolicy === 'required'
        ? this.#certificateRejected('client-certificate-required')
        : this.#verified();
    }
    this.#phase = 'server-flight';
    return undefined;
  }

  #handle(event: TlsHandshakeEvent, fromClient: boolean): Verdict | undefined {
    switch (event.type) {
      case 'client-hello':
        return this.#onClientHello(event.hello);
      case 'server-hello':
        return this.#onServerHello(event.hello.helloRetryRequest, event.hello.negotiatedVersion);
      case 'certificate-request':
        this.#certificateRequested = true;
        return undefined;
      case 'server-hello-done':
        if (this.#certificateRequested) {
          this.#phase = 'client-certificate';
          return undefined;
        }
        // The server did not ask for a certificate, so the client sends none.
        return this.#options.certificatePolicy === 'required'
          ? this.#certificateRejected('client-certificate-required')
          : this.#verified();
      case 'certificate': {
        if (event.sender === 'server') return undefined;
        const subject = event.certificates[0]?.subject;
        if (subject === undefined) return this.#certificateRejected('client-certificate-required');
        return this.#options.policy.decideClientCertificate(subject).allow
          ? this.#verified(subject)
          : this.#certificateRejected('client-certificate-not-allowed', subject);
      }
      case 'change-cipher-spec': {
        // A server CCS before its hello flight ended: an abbreviated (resumed) handshake without certificates.
        const phase = this.#phase;
        if (phase === 'server-flight' || (phase === 'client-certificate' && fromClient)) {
          return this.#options.certificatePolicy === 'required' || phase === 'client-certificate'
            ? this.#certificateRejected('client-certificate-required')
            : this.#verified();
        }
        return undefined;
      }
      case 'tls13-encrypted-from-here':
        return undefined; // the server-hello event already decided
      case 'alert':
        return event.sender === 'server'
          ? this.#finish({ kind: 'server-alert', alert: event.name })
          : undefined;
      case 'error':
        return this.#onError(event.error, fromClient);
    }
  }
}

const RELEASE_ALL: Verdict = Object.freeze({ release: 'all' });
const RELEASE_HELD: Verdict = Object.freeze({ release: 'held' });

/**
 * A verifier whose outcome goes to a callback (a convenience over {@link TlsVerifier} for callers that
 * have no listener object).
 */
export function createTlsVerifier(options: TlsVerifierOptions): TunnelInspector {
  return new TlsVerifier(options, { tlsOutcome: options.onOutcome });
}
