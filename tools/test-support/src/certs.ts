import { readFileSync } from 'node:fs';

/** The folder holding the shared test certificates (generated once by `certs/generate.sh`). */
export const certsDir = new URL('../certs/', import.meta.url);

function pem(name: string): string {
  return readFileSync(new URL(name, certsDir), 'utf8');
}

/** Absolute path of a certificate file, for command-line peers such as curl and openssl. */
export function certPath(name: string): string {
  return new URL(name, certsDir).pathname;
}

/**
 * The one copy of test certificates. `server` is signed by `ca` and names localhost, `*.test` and the Azure
 * hosts the presets allow; `interceptedServer` is signed by `interceptCa`, which no test client trusts.
 * Client certificates: `clientAgent` is `CN=agent-1,O=Contoso`, `clientIntruder` is `CN=intruder,O=Evil Corp`.
 */
export const testCerts = {
  get ca() {
    return pem('ca.crt');
  },
  get interceptCa() {
    return pem('intercept-ca.crt');
  },
  get server() {
    return { cert: pem('server.crt'), key: pem('server.key') };
  },
  get interceptedServer() {
    return { cert: pem('intercepted-server.crt'), key: pem('intercepted-server.key') };
  },
  get clientAgent() {
    return { cert: pem('client-agent.crt'), key: pem('client-agent.key') };
  },
  get clientIntruder() {
    return { cert: pem('client-intruder.crt'), key: pem('client-intruder.key') };
  },
};
