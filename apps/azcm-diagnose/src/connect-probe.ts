import * as net from 'node:net';
import * as tls from 'node:tls';
import { raceSignal, startDeadline } from './deadline.ts';
import { maxHeadBytes, parseStatusLine } from './http-status.ts';
import type { NameResolver } from './name-resolution.ts';

/** A proxy's answer to one CONNECT request. */
export interface ConnectAnswer {
  status: number;
  reason: string;
  headers: Record<string, string>;
  ms: number;
}

/** Parses a response head (status line and header fields) up to the blank line. */
export function parseResponseHead(head: string): Omit<ConnectAnswer, 'ms'> {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const { status, reason } = parseStatusLine(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, reason, headers };
}

function readHead(socket: net.Socket): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buffered = '';
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', reject);
      socket.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end !== -1) {
        cleanup();
        resolve(buffered.slice(0, end));
      } else if (buffered.length > maxHeadBytes) {
        cleanup();
        reject(
          Object.assign(new Error(`proxy answer head longer than ${maxHeadBytes} bytes`), {
            code: 'EHTTPANSWER',
          }),
        );
      }
    };
    const onEnd = () => {
      cleanup();
      reject(
        Object.assign(new Error('proxy closed the connection without answering CONNECT'), {
          code: 'ECONNRESET',
        }),
      );
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.on('end', onEnd);
  });
}

/**
 * Sends `CONNECT host:port` to a proxy (http:// or https://, credentials from the URL as Basic auth) and
 * returns its answer; the tunnel is closed right after, nothing is sent through it.
 *
 * @example
 * ```ts
 * const answer = await connectThroughProxy(new URL('http://gw:8080'), 'management.azure.com', 443, { resolver, timeoutMs: 5000, ca: [] });
 * answer.status; // 200 when the proxy lets it through, 403 when it refuses the host
 * ```
 */
export async function connectThroughProxy(
  proxy: URL,
  host: string,
  port: number,
  options: { resolver: NameResolver; timeoutMs: number; ca: string[]; userAgent?: string },
): Promise<ConnectAnswer> {
  const started = performance.now();
  const deadline = startDeadline(options.timeoutMs);
  const proxyPort = proxy.port !== '' ? Number(proxy.port) : proxy.protocol === 'https:' ? 443 : 80;
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  let socket: net.Socket | undefined;
  try {
    const { addresses } = await raceSignal(options.resolver.lookup(proxyHost, proxyPort), deadline.signal);
    const address = addresses[0] ?? proxyHost;
    socket =
      proxy.protocol === 'https:'
        ? tls.connect({
            host: address,
            port: proxyPort,
            ...(net.isIP(proxyHost) === 0 ? { servername: proxyHost } : {}),
            ca: options.ca,
          })
        : net.connect({ host: address, port: proxyPort });
    const open = socket;
    await raceSignal(
      new Promise<void>((resolve, reject) => {
        open.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => resolve());
        open.once('error', reject);
      }),
      deadline.signal,
    );
    const authority = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
    const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
    if (proxy.username !== '' || proxy.password !== '') {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      lines.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
    }
    lines.push(`User-Agent: ${options.userAgent ?? 'azcm-diagnose'}`);
    const head = readHead(open);
    open.write(`${lines.join('\r\n')}\r\n\r\n`);
    const answer = parseResponseHead(await raceSignal(head, deadline.signal));
    return { ...answer, ms: performance.now() - started };
  } finally {
    deadline.clear();
    socket?.destroy();
  }
}
