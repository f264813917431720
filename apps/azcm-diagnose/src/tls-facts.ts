import type * as tls from 'node:tls';
import type { TlsFacts } from './probe-types.ts';

function distinguishedName(name: Record<string, string | string[]> | undefined): string | undefined {
  if (name === undefined) return undefined;
  const parts: string[] = [];
  for (const key of ['CN', 'O', 'OU', 'C']) {
    const value = name[key];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${key}=${item}`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Reads version, issuer, subject and the verification result from a TLS socket after its handshake. */
export function tlsFacts(socket: tls.TLSSocket): TlsFacts {
  const certificate = socket.getPeerCertificate(false) as Partial<tls.PeerCertificate> | undefined;
  const facts: TlsFacts = { authorized: socket.authorized };
  const version = socket.getProtocol();
  if (version !== null) facts.version = version;
  const issuer = distinguishedName(certificate?.issuer as unknown as Record<string, string> | undefined);
  if (issuer !== undefined) facts.issuer = issuer;
  const subject = distinguishedName(certificate?.subject as unknown as Record<string, string> | undefined);
  if (subject !== undefined) facts.subject = subject;
  const error = socket.authorizationError as unknown;
  if (!socket.authorized && error !== undefined && error !== null)
    facts.authorizationError =
      typeof error === 'string' ? error : ((error as Error).message ?? String(error));
  return facts;
}
