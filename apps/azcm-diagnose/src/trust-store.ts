import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { DiagnoseError } from './errors.ts';

/**
 * The CA certificates `check` trusts: Node's bundled roots, the operating system's store where this Node
 * can read it (the agent itself trusts the system store), and `--ca-file` extras, e.g. a company's
 * TLS-inspection CA that was deployed to the machines.
 */
export function trustedCertificates(caFiles: readonly string[] = []): string[] {
  const certificates = [...tls.rootCertificates];
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof getCACertificates === 'function') {
    try {
      certificates.push(...getCACertificates('system'));
    } catch {
      // An unreadable system store leaves the bundled roots, as Node does by default.
    }
  }
  for (const file of caFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new DiagnoseError('DIAGNOSE_INPUT', `cannot read --ca-file ${file}`, { cause: error });
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----'))
      throw new DiagnoseError('DIAGNOSE_INPUT', `--ca-file ${file} holds no PEM certificate`);
    certificates.push(text);
  }
  return certificates;
}
