import type { DecisionReason, Policy } from '@agent-gateway/policy';
import {
  type ClientHello,
  type TlsHandshakeError,
  type TlsHandshakeEvent,
  TlsHandshakeParser,
} from '@agent-gateway/tls-handshake';
import type { TunnelInspector, Verdict } from '@agent-gateway/tunnel';
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
  | 'handshake-too-large';

/** How the verification of one tunnel ended. */
export type TlsOutcome =
  | { kind: 'verified'; tlsVersion: string; sni?: string; subject?: string; ech: boolean }
  | {
      kind: 'rejected';
      event: 105;
      reason: CertificateRejection;
      tlsVersion?: string;
      sni?: string;
      subject?: string;
    }
  | { kind: 'rejected'; event: 106; reason: TlsRejection; tlsVersion?: string; sni?: string; ech?: boolean }
  | { kind: 'unparseable'; event: 402; error: TlsHandshakeError }
  /** The server ended the handshake with an alert: nothing to verify, the bytes were passed on. */
  | { kind: 'server-alert'; alert: string };

/** What the verifier of one tunnel needs to know. */
export interface TlsVerifierOptions {
  policy: Policy;
  /** The CONNECT host (as the policy allowed it). */
  connectHost: string;
  certificatePolicy: ClientCertificatePolicy;
  /** True when the allowed-subject list is not empty: only then is a subject checked. */
  subjectsRestricted: boolean;
  maxClientHelloBytes?: number;
  /** Called once, when the outcome is known (before the verdict that carries it). */
  onOutcome(outcome: TlsOutcome): void;
}

const sniReasons: Partial<Record<DecisionReason, TlsRejection>> = {
  'sni-missing': 'sni-missing',
  'sni-invalid': 'sni-mismatch',
  'sni-mismatch': 'sni-mismatch',
};

type Phase = 'client-hello' | 'server-hello' | 'server-flight' | 'client-certificate' | 'done';

/**
 * The gateway's TLS verification as a tunnel inspector. Client bytes are held by the tunnel until a verdict:
 * the ClientHello until its SNI and version are checked (then `release: 'held'` passes it on), and, on TLS
 * <= 1.2 with a subject check, the client's second flight until its Certificate is checked. Server bytes are
 * only read. The verdict `release: 'all'` ends inspection; the tunnel then splices without looking.
 */
export function createTlsVerifier(options: TlsVerifierOptions): TunnelInspector {
  const parser = new TlsHandshakeParser(
    options.maxClientHelloBytes === undefined ? {} : { maxClientHelloBytes: options.maxClientHelloBytes },
  );
  const checkSubject = options.subjectsRestricted && options.certificatePolicy !== 'off';
  let phase: Phase = 'client-hello';
  let hello: ClientHello | undefined;
  let negotiated: number | undefined;
  let certificateRequested = false;

  function finish(outcome: TlsOutcome): Verdict {
    phase = 'done';
    options.onOutcome(outcome);
    if (outcome.kind === 'verified' || outcome.kind === 'server-alert') return { release: 'all' };
    if (outcome.kind === 'unparseable')
      return { reject: `TLS handshake could not be parsed: ${outcome.error.code}` };
    return { reject: outcome.reason };
  }

  function verified(subject?: string): Verdict {
    return finish({
      kind: 'verified',
      tlsVersion: tlsVersionName(negotiated ?? hello?.highestVersion ?? 0),
      ...(hello?.serverName === undefined ? {} : { sni: hello.serverName }),
      ...(subject === undefined ? {} : { subject }),
      ech: hello?.echOffered ?? false,
    });
  }

  function certificateRejected(reason: CertificateRejection, subject?: string): Verdict {
    return finish({
      kind: 'rejected',
      event: 105,
      reason,
      tlsVersion: tlsVersionName(negotiated ?? 0),
      ...(hello?.serverName === undefined ? {} : { sni: hello.serverName }),
      ...(subject === undefined ? {} : { subject }),
    });
  }

  function onClientHello(next: ClientHello): Verdict {
    hello = next;
    const common = {
      ...(next.serverName === undefined ? {} : { sni: next.serverName }),
      ech: next.echOffered,
    };
    const sni = options.policy.decideSni(options.connectHost, next.serverName);
    if (!sni.allow) {
      return finish({
        kind: 'rejected',
        event: 106,
        reason: sniReasons[sni.reason] ?? 'sni-mismatch',
        ...common,
      });
    }
    const version = options.policy.decideTlsVersion(next.highestVersion);
    if (!version.allow) {
      return finish({
        kind: 'rejected',
        event: 106,
        reason: 'version-too-low',
        tlsVersion: tlsVersionName(next.highestVersion),
        ...common,
      });
    }
    phase = 'server-hello';
    return { release: 'held' };
  }

  function onError(error: TlsHandshakeError, fromClient: boolean): Verdict {
    // Bytes that never looked like TLS, or a hello beyond the limits, are a refusal (106); anything else that
    // started as TLS but broke is a parse error (402).
    if (fromClient && phase === 'client-hello') {
      if (
        error.code === 'TLS_NOT_TLS' ||
        error.code === 'TLS_SSLV2_HELLO' ||
        error.code === 'TLS_UNSUPPORTED_VERSION'
      ) {
        return finish({ kind: 'rejected', event: 106, reason: 'not-tls' });
      }
      if (error.code === 'TLS_HANDSHAKE_TOO_LARGE' || error.code === 'TLS_RECORD_TOO_LARGE') {
        return finish({ kind: 'rejected', event: 106, reason: 'handshake-too-large' });
      }
    }
    return finish({ kind: 'unparseable', event: 402, error });
  }

  function handle(event: TlsHandshakeEvent, fromClient: boolean): Verdict | undefined {
    switch (event.type) {
      case 'client-hello':
        return onClientHello(event.hello);
      case 'server-hello': {
        if (event.hello.helloRetryRequest) {
          phase = 'client-hello'; // the second ClientHello is checked like the first
          return undefined;
        }
        negotiated = event.hello.negotiatedVersion;
        const version = options.policy.decideTlsVersion(negotiated);
        if (!version.allow) {
          return finish({
            kind: 'rejected',
            event: 106,
            reason: 'version-too-low',
            tlsVersion: tlsVersionName(negotiated),
          });
        }
        if (!checkSubject) return verified();
        if (negotiated >= TLS13) {
          // The client certificate travels encrypted in TLS 1.3: nothing to see.
          return options.certificatePolicy === 'required'
            ? certificateRejected('client-certificate-required')
            : verified();
        }
        phase = 'server-flight';
        return undefined;
      }
      case 'certificate-request':
        certificateRequested = true;
        return undefined;
      case 'server-hello-done':
        if (certificateRequested) {
          phase = 'client-certificate';
          return undefined;
        }
        // The server did not ask for a certificate, so the client sends none.
        return options.certificatePolicy === 'required'
          ? certificateRejected('client-certificate-required')
          : verified();
      case 'certificate': {
        if (event.sender === 'server') return undefined;
        const subject = event.certificates[0]?.subject;
        if (subject === undefined) return certificateRejected('client-certificate-required');
        const decision = options.policy.decideClientCertificate(subject);
        return decision.allow
          ? verified(subject)
          : certificateRejected('client-certificate-not-allowed', subject);
      }
      case 'change-cipher-spec':
        // A server CCS before its hello flight ended: an abbreviated (resumed) handshake without certificates.
        if (phase === 'server-flight' || (phase === 'client-certificate' && fromClient)) {
          return options.certificatePolicy === 'required' || phase === 'client-certificate'
            ? certificateRejected('client-certificate-required')
            : verified();
        }
        return undefined;
      case 'tls13-encrypted-from-here':
        return undefined; // the server-hello event already decided
      case 'alert':
        return event.sender === 'server' ? finish({ kind: 'server-alert', alert: event.name }) : undefined;
      case 'error':
        return onError(event.error, fromClient);
    }
  }

  function push(chunk: Uint8Array, fromClient: boolean): Verdict {
    if (phase === 'done') return 'need-more';
    const result = fromClient ? parser.pushClient(chunk) : parser.pushServer(chunk);
    let verdict: Verdict = 'need-more';
    for (const event of result.events) {
      const next = handle(event, fromClient);
      if (next === undefined) continue;
      verdict = next;
      if ((phase as Phase) === 'done') return verdict;
    }
    return verdict;
  }

  return {
    onClientData: (chunk) => push(chunk, true),
    onServerData: (chunk) => push(chunk, false),
  };
}
