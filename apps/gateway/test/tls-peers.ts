import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type * as tls from 'node:tls';
import { certPath, type LocalTlsServer, startTlsServer } from '@agent-gateway/test-support';
import { cleanEnv, type Exit } from './gateway-process.ts';

/** The body the HTTPS responder answers every request with. */
export const responderBody = 'hello through the gateway\n';

/**
 * A TLS server that answers the first request with a small HTTP response (for curl and Node's https), using
 * the shared server certificate.
 */
export function startHttpsResponder(
  options: { maxVersion?: tls.SecureVersion } = {},
): Promise<LocalTlsServer> {
  return startTlsServer({
    ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
    onSecureConnection: (socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.end(
          `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(responderBody)}\r\nconnection: close\r\n\r\n${responderBody}`,
        );
      });
    },
  });
}

/** Counts the TLS handshakes a local server completed (to prove a refused client never reached it). */
export function countHandshakes(server: LocalTlsServer): { readonly count: number } {
  const counter = { count: 0 };
  server.server.on('secureConnection', () => {
    counter.count += 1;
  });
  return counter;
}

/** An interactive `openssl s_client` through the gateway: stdin stays open until `end()`. */
export interface OpenSslSession {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  write(text: string): void;
  /** Ends stdin; s_client then closes the session and exits. */
  end(): void;
  readonly exited: Promise<Exit>;
  /** Kills it if it still runs and waits for the exit. */
  stop(): Promise<Exit>;
}

/** Options of {@link startOpenSsl}. */
export interface OpenSslOptions {
  proxyPort: number;
  /** `-connect` host:port (the CONNECT authority). */
  connect: string;
  servername: string;
  /** `-tls1_3`, `-tls1_2`, `-tls1_1` ... */
  version: string;
  /** Client certificate base name in the shared certificates (`client-agent`, `client-intruder`). */
  clientCertificate?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

/** Starts `openssl s_client -proxy` against the gateway. */
export function startOpenSsl(options: OpenSslOptions): OpenSslSession {
  const args = [
    's_client',
    '-proxy',
    `127.0.0.1:${options.proxyPort}`,
    '-connect',
    options.connect,
    '-servername',
    options.servername,
    options.version,
    '-CAfile',
    certPath('ca.crt'),
    '-verify_return_error',
    '-no_ign_eof',
    ...(options.clientCertificate === undefined
      ? []
      : [
          '-cert',
          certPath(`${options.clientCertificate}.crt`),
          '-key',
          certPath(`${options.clientCertificate}.key`),
        ]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('openssl', args, {
    env: cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 15_000,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString('latin1');
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  child.stdin.on('error', () => {});
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      exit = { code, signal };
      for (const listener of [...listeners]) listener();
      resolve(exit);
    });
  });
  return {
    child,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            done();
            resolve();
          } else if (exit !== undefined) {
            done();
            reject(new Error(`openssl exited (${JSON.stringify(exit)}) without ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`openssl printed no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    exited,
    async stop() {
      if (exit === undefined) child.kill('SIGKILL');
      return exited;
    },
  };
}
