const names: Record<number, string> = {
  768: 'SSL 3.0',
  769: 'TLS 1.0',
  770: 'TLS 1.1',
  771: 'TLS 1.2',
  772: 'TLS 1.3',
};

/** `0x0304` -> `TLS 1.3`; unknown wire versions as hex. */
export function tlsVersionName(wireVersion: number): string {
  return names[wireVersion] ?? `0x${wireVersion.toString(16).padStart(4, '0')}`;
}

/** Wire version of TLS 1.3 (0x0304). */
export const TLS13 = 0x0304;
