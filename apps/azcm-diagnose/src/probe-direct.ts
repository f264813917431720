import * as net from 'node:net';
import * as tls from 'node:tls';
import { classifyFailure, isUnknownCaError } from './classify-failure.ts';
import { raceSignal, startDeadline } from './deadline.ts';
import { elapsed } from './elapsed.ts';
import { requestStatus } from './http-status.ts';
import type { NameResolver } from './name-resolution.ts';
import type { Phase, PhaseName, ProbeResult, ProbeTarget } from './probe-types.ts';
import { tlsFacts } from './tls-facts.ts';

/** What every probe needs besides its target. */
export interface ProbeContext {
  resolver: NameResolver;
  /** Trusted CA certificates (PEM); the TLS step verifies against these. */
  ca: string[];
  timeoutMs: number;
  userAgent: string;
}

function connectTcp(address: string, port: number): { socket: net.Socket; connected: Promise<void> } {
  const socket = net.connect({ host: address, port });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, connected };
}

/** Opens TCP to the first address that answers, in order. */
async function connectAny(
  addresses: readonly string[],
  port: number,
  signal: AbortSignal,
): Promise<{ socket: net.Socket; address: string }> {
  let lastError: unknown = new Error('no address to connect to');
  for (const address of addresses) {
    const attempt = connectTcp(address, port);
    try {
      await raceSignal(attempt.connected, signal, () => attempt.socket.destroy());
      return { socket: attempt.socket, address };
    } catch (error) {
      attempt.socket.destroy();
      if (signal.aborted) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/** Exposes the verification result as an error with OpenSSL's code (after a handshake that let it pass). */
export function verificationError(code: string, issuer: string | undefined, host?: string): Error {
  const trust = isUnknownCaError(code)
    ? `certificate issued by ${issuer ?? 'an unknown issuer'}, which is not trusted here`
    : code === 'ERR_TLS_CERT_ALTNAME_INVALID' && host !== undefined
      ? `the certificate (issuer ${issuer ?? 'unknown'}) is not valid for ${host}`
      : `certificate not accepted (issuer ${issuer ?? 'unknown'})`;
  return Object.assign(new Error(`${code}: ${trust}`), { code });
}

/**
 * Checks one endpoint without a proxy: DNS, TCP, TLS (verified against `ctx.ca`, with the version and the
 * issuer recorded even when verification fails, so TLS inspection shows), then `GET /`. Plain-HTTP
 * endpoints skip the TLS step.
 */
export async function probeDirect(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  const phases: Phase[] = [];
  const result: ProbeResult = { phases, totalMs: 0 };
  const deadline = startDeadline(ctx.timeoutMs);
  let phase: PhaseName = 'dns';
  let phaseStart = performance.now();
  const begin = (name: PhaseName) => {
    phase = name;
    phaseStart = performance.now();
  };
  const end = (detail?: string) => {
    phases.push({ name: phase, ok: true, ms: elapsed(phaseStart), ...(detail ? { detail } : {}) });
  };
  let socket: net.Socket | undefined;
  try {
    begin('dns');
    const resolution = await raceSignal(
      ctx.resolver.lookup(target.connectHost, target.connectPort),
      deadline.signal,
    );
    end(`${resolution.addresses.join(', ')} (${resolution.source})`);

    begin('tcp');
    const tcp = await connectAny(resolution.addresses, target.connectPort, deadline.signal);
    socket = tcp.socket;
    end(
      net.isIPv6(tcp.address)
        ? `[${tcp.address}]:${target.connectPort}`
        : `${tcp.address}:${target.connectPort}`,
    );

    let channel: net.Socket = tcp.socket;
    if (target.tls) {
      begin('tls');
      const secure = tls.connect({
        socket: tcp.socket,
        ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
        ca: ctx.ca,
        // Verified below by hand, so a failed verification still reports the version and the issuer.
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      socket = secure;
      await raceSignal(
        new Promise<void>((resolve, reject) => {
          secure.once('secureConnect', () => resolve());
          secure.once('error', reject);
          secure.once('close', () =>
            reject(Object.assign(new Error('closed during the TLS handshake'), { code: 'ECONNRESET' })),
          );
        }),
        deadline.signal,
        () => secure.destroy(),
      );
      const facts = tlsFacts(secure);
      result.tls = facts;
      if (!facts.authorized)
        throw verificationError(facts.authorizationError ?? 'CERT_UNTRUSTED', facts.issuer, target.host);
      end(`${facts.version ?? '?'}, issuer ${facts.issuer ?? '?'}`);
      channel = secure;
    }

    begin('http');
    const status = await raceSignal(requestStatus(channel, target.host, ctx.userAgent), deadline.signal);
    result.httpStatus = status;
    end(`HTTP ${status}`);
  } catch (error) {
    phases.push({ name: phase, ok: false, ms: elapsed(phaseStart) });
    result.failure = classifyFailure(error, phase);
  } finally {
    deadline.clear();
    socket?.destroy();
  }
  result.totalMs = performance.now() - started;
  return result;
}
