import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { ProxyAgent } from 'proxy-agent';
import { classifyFailure, classifyProxyAnswer } from './classify-failure.ts';
import { startDeadline } from './deadline.ts';
import { elapsed } from './elapsed.ts';
import { type ProbeContext, verificationError } from './probe-direct.ts';
import type { Phase, PhaseName, ProbeResult, ProbeTarget } from './probe-types.ts';
import { tlsFacts } from './tls-facts.ts';

interface ProxyConnectAnswer {
  statusCode: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
}

function defaultPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : url.protocol.startsWith('socks') ? 1080 : 80;
}

/**
 * Checks one endpoint through a proxy with `proxy-agent`, as the agent would reach it: the CONNECT answer,
 * then TLS to the endpoint inside the tunnel (verified against `ctx.ca`), then `GET /`. Plain-HTTP
 * endpoints (port 80) go to the proxy as an absolute-URI `GET`. Name resolution of
 * the endpoint is the proxy's job; `--resolve`/`--dns-server` apply to the proxy's own name.
 */
export function probeProxied(target: ProbeTarget, proxy: URL, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  const phases: Phase[] = [];
  const result: ProbeResult = { phases, totalMs: 0 };
  const deadline = startDeadline(ctx.timeoutMs);
  let phase: PhaseName = 'proxy';
  let phaseStart = started;
  const end = (detail?: string) => {
    phases.push({ name: phase, ok: true, ms: elapsed(phaseStart), ...(detail ? { detail } : {}) });
  };
  const next = (name: PhaseName) => {
    phase = name;
    phaseStart = performance.now();
  };

  const agent = new ProxyAgent({
    getProxyForUrl: () => proxy.href,
    lookup: ctx.resolver.netLookup(defaultPort(proxy)),
    ca: ctx.ca,
    keepAlive: false,
  });

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      if (error !== undefined && result.failure === undefined) {
        phases.push({ name: phase, ok: false, ms: elapsed(phaseStart) });
        result.failure = classifyFailure(error, phase, true);
      }
      request.destroy();
      agent.destroy();
      result.totalMs = performance.now() - started;
      resolve(result);
    };

    const request = (target.tls ? https : http).request({
      host: target.connectHost,
      port: target.connectPort,
      path: '/',
      method: 'GET',
      agent,
      headers: { host: target.host, 'user-agent': ctx.userAgent, accept: '*/*', connection: 'close' },
      ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
      ca: ctx.ca,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    } as https.RequestOptions);

    request.on('proxyConnect', (answer: Partial<ProxyConnectAnswer>) => {
      if (answer.statusCode === undefined) {
        // http-proxy-agent (plain HTTP) reports only that the proxy accepted the connection.
        end('connected to the proxy');
        next('http');
        return;
      }
      result.proxyStatus = answer.statusCode;
      if (answer.statusCode !== 200) {
        phases.push({ name: 'proxy', ok: false, ms: elapsed(phaseStart) });
        result.failure = classifyProxyAnswer(
          answer.statusCode,
          answer.statusText ?? '',
          answer.headers ?? {},
        );
        finish();
        return;
      }
      end(`${answer.statusCode} ${answer.statusText}`.trim());
      next('tls');
    });
    request.on('socket', (socket: net.Socket) => {
      if (!('encrypted' in socket)) return;
      const secure = socket as tls.TLSSocket;
      secure.once('secureConnect', () => {
        if (phase === 'proxy') {
          // SOCKS proxies have no CONNECT answer event: the tunnel stood once TLS went through it.
          end('tunnel established');
          next('tls');
        }
        const facts = tlsFacts(secure);
        result.tls = facts;
        if (!facts.authorized) {
          finish(verificationError(facts.authorizationError ?? 'CERT_UNTRUSTED', facts.issuer, target.host));
          return;
        }
        end(`${facts.version ?? '?'}, issuer ${facts.issuer ?? '?'}`);
        next('http');
      });
    });
    request.on('response', (response: http.IncomingMessage) => {
      if (settled) return;
      const status = response.statusCode ?? 0;
      // Plain HTTP goes to the proxy as an absolute-URI request: its refusals come back as the response.
      if (!target.tls && (status === 407 || response.headers['x-squid-error'] !== undefined)) {
        phases.push({ name: 'proxy', ok: false, ms: elapsed(phaseStart) });
        result.proxyStatus = status;
        result.failure = classifyProxyAnswer(status, response.statusMessage ?? '', response.headers, 'GET');
        response.resume();
        finish();
        return;
      }
      if (phase !== 'http') next('http');
      result.httpStatus = status;
      end(`HTTP ${result.httpStatus}`);
      response.resume();
      finish();
    });
    request.on('error', (error) => finish(error));
    deadline.signal.addEventListener('abort', () => finish(deadline.signal.reason), { once: true });
    request.end();
  });
}
