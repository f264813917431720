import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { testCerts } from '@agent-gateway/test-support';
import { createProxy } from 'proxy';
import { describe, expect, it } from 'vitest';
import { classifyDialError, createTunnelServer, type DialTarget, type Resolver } from '../src/index.ts';
import {
  closeServer,
  drainAndClose,
  eventsOf,
  listen,
  openTunnel,
  rawRequest,
  readAll,
  startEchoTarget,
  startTunnel,
  trackResources,
  waitFor,
} from './helpers.ts';
import { startSocks5 } from './socks5-server.ts';
import { startSquid } from './squid.ts';

const { cleanup } = trackResources();

async function tunnelWith(dial: DialTarget, resolve?: Resolver, connectTimeoutMs = 5000) {
  return startTunnel(cleanup, {
    ...(resolve !== undefined ? { resolve } : {}),
    limits: { connectTimeoutMs },
    hooks: { decide: () => ({ allow: true, dial }) },
  });
}

/** Sends CONNECT and returns the refusal: status, head and body (read to the end of the connection). */
async function refusal(port: number, target: string) {
  const { socket, status, answer, rest } = await rawRequest(port, `CONNECT ${target} HTTP/1.1\r\n\r\n`);
  const chunks: Buffer[] = [rest];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await drainAndClose(socket);
  return { status, answer, body: Buffer.concat(chunks).toString('utf8') };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** A listener whose accept queue is full: the kernel drops further SYNs, so a connect never completes. */
async function blackHole(): Promise<{ port: number; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('node:net').createServer(()=>{}).listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port)});`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  child.kill('SIGSTOP');
  const fillers: net.Socket[] = [];
  // Fill the accept queue (backlog + 1 on Linux) until a connect no longer completes.
  for (let i = 0; i < 8; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await Promise.race([
      once(socket, 'connect').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300)),
    ]);
    if (!connected) break;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    port,
    stop: async () => {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('a client that leaves early', () => {
  it('still gets a terminal event when it resets during a slow decide', async () => {
    let decided: () => void = () => {};
    const decideReached = new Promise<void>((resolve) => {
      decided = resolve;
    });
    const { port, events } = await startTunnel(cleanup, {
      hooks: {
        decide: async () => {
          decided();
          await new Promise((resolve) => setTimeout(resolve, 200));
          return { allow: true, dial: { kind: 'direct' } };
        },
      },
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('CONNECT gone.test:443 HTTP/1.1\r\n\r\n');
    await decideReached;
    socket.resetAndDestroy();
    await waitFor(() => eventsOf(events, 'request-refused').length === 1);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({
      id: eventsOf(events, 'connect-received')[0]?.id,
      kind: 'client-closed',
      status: 0,
      host: 'gone.test',
      port: 443,
    });
  });
});

describe('direct dial', () => {
  it('maps a resolver ENOTFOUND to 502 with kind dns', async () => {
    const { port, events } = await tunnelWith({ kind: 'direct' }, async (host) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    });
    const { status, answer, body } = await refusal(port, 'nowhere.test:443');
    expect(status).toBe(502);
    expect(answer).toContain('error=dns_error');
    expect(body).toBe('could not reach nowhere.test:443: dns (cannot resolve nowhere.test)\n');
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ kind: 'dial-failed', dialFailure: 'dns' });
  });

  it('answers 502 dns when the resolver finds no addresses', async () => {
    const { port, events } = await tunnelWith({ kind: 'direct' }, async () => []);
    expect((await refusal(port, 'empty.test:443')).status).toBe(502);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ dialFailure: 'dns' });
  });

  it('maps a refused connection to 502 with kind refused', async () => {
    const { port, events } = await tunnelWith({ kind: 'direct' });
    const { status, answer } = await refusal(port, `closed.test:${await closedPort()}`);
    expect(status).toBe(502);
    expect(answer).toContain('error=connection_refused');
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ dialFailure: 'refused' });
  });

  it('maps a connect that never completes to 504 with kind timeout, within the connect timeout', async () => {
    const hole = await blackHole();
    cleanup.push(hole.stop);
    const { port, events } = await tunnelWith({ kind: 'direct' }, undefined, 400);
    const started = Date.now();
    const { status, answer } = await refusal(port, `slow.test:${hole.port}`);
    expect(status).toBe(504);
    expect(answer).toContain('error=connection_timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ dialFailure: 'timeout', status: 504 });
  });

  it('counts a slow resolver against the connect timeout', async () => {
    const { port } = await tunnelWith(
      { kind: 'direct' },
      () => new Promise((resolve) => setTimeout(() => resolve(['127.0.0.1']), 2000)),
      200,
    );
    expect((await refusal(port, 'slow-dns.test:443')).status).toBe(504);
  });

  it('tries every resolved address: a refusing one first, then one that answers', async () => {
    const target = await startEchoTarget(cleanup, '::1');
    const resolved: string[] = [];
    const { port } = await tunnelWith({ kind: 'direct' }, async (host) => {
      resolved.push(host);
      return ['127.0.0.1', '::1'];
    });
    const { socket, rest } = await openTunnel(port, `dual.test:${target.port}`);
    socket.end('through v6');
    expect((await readAll(socket, rest)).toString()).toBe('through v6');
    expect(resolved).toEqual(['dual.test']);
  });

  it('uses the dial target host and resolver when decide rewrites them', async () => {
    const target = await startEchoTarget(cleanup);
    const { port } = await tunnelWith(
      { kind: 'direct', host: 'pinned.internal', resolve: async () => ['127.0.0.1'] },
      async () => {
        throw Object.assign(new Error('server resolver must not be asked'), { code: 'ENOTFOUND' });
      },
    );
    const { socket } = await openTunnel(port, `public.test:${target.port}`);
    socket.end('pinned');
    expect((await readAll(socket)).toString()).toBe('pinned');
  });

  it('falls back to the system resolver (getaddrinfo) when no resolver is configured', async () => {
    const target = await startEchoTarget(cleanup);
    const server = createTunnelServer({
      hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
    });
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    cleanup.push(() => server.close({ graceMs: 200 }));
    // localhost comes from /etc/hosts: no DNS query leaves the machine.
    const { socket, rest } = await openTunnel(port, `localhost:${target.port}`);
    socket.end('resolved by the system');
    expect((await readAll(socket, rest)).toString()).toBe('resolved by the system');
    expect(server.limits.connectTimeoutMs).toBe(10_000);
  });

  it('classifies socket error codes', () => {
    expect(classifyDialError({ code: 'ENOTFOUND' })).toBe('dns');
    expect(classifyDialError({ code: 'EAI_AGAIN' })).toBe('dns');
    expect(classifyDialError({ code: 'ECONNREFUSED' })).toBe('refused');
    expect(classifyDialError({ code: 'EHOSTUNREACH' })).toBe('unreachable');
    expect(classifyDialError({ code: 'ENETUNREACH' })).toBe('unreachable');
    expect(classifyDialError({ code: 'ETIMEDOUT' })).toBe('timeout');
    expect(classifyDialError(new Error('plain'))).toBe('error');
    expect(classifyDialError(undefined)).toBe('error');
  });
});

async function startProxyRelay(options: { credentials?: string; tls?: boolean } = {}) {
  const seen: string[] = [];
  const base = options.tls === true ? https.createServer(testCerts.server) : http.createServer();
  const relay = createProxy(base as http.Server);
  relay.authenticate = (request) => {
    seen.push(`${request.url ?? ''} ${request.headers['proxy-authorization'] ?? '-'}`);
    return (
      options.credentials === undefined ||
      request.headers['proxy-authorization'] ===
        `Basic ${Buffer.from(options.credentials).toString('base64')}`
    );
  };
  const port = await listen(relay);
  cleanup.push(() => {
    relay.closeAllConnections();
    return closeServer(relay);
  });
  return { port, seen };
}

const neverResolve: Resolver = async () => {
  throw Object.assign(new Error('a relayed name must not be resolved locally'), { code: 'ENOTFOUND' });
};

describe('relay dial', () => {
  it('tunnels through an HTTP relay without credentials, sending the name unresolved', async () => {
    const target = await startEchoTarget(cleanup);
    const relay = await startProxyRelay();
    const { port, events } = await tunnelWith(
      { kind: 'relay', url: `http://127.0.0.1:${relay.port}` },
      neverResolve,
    );
    const { socket, rest } = await openTunnel(port, `localhost:${target.port}`);
    socket.end('via relay');
    expect((await readAll(socket, rest)).toString()).toBe('via relay');
    expect(relay.seen).toEqual([`localhost:${target.port} -`]);
    expect(eventsOf(events, 'tunnel-established')[0]).toMatchObject({ via: 'relay' });
  });

  it('sends Basic credentials to an HTTP relay that wants them', async () => {
    const target = await startEchoTarget(cleanup);
    const relay = await startProxyRelay({ credentials: 'gw:s3cret:x' });
    const { port } = await tunnelWith({
      kind: 'relay',
      url: `http://127.0.0.1:${relay.port}`,
      username: 'gw',
      password: 's3cret:x',
    });
    const { socket, rest } = await openTunnel(port, `127.0.0.1:${target.port}`);
    socket.end('authenticated');
    expect((await readAll(socket, rest)).toString()).toBe('authenticated');
  });

  it('maps a relay 407 to 502 with kind relay-auth-required', async () => {
    const relay = await startProxyRelay({ credentials: 'gw:right' });
    for (const password of [undefined, 'wrong']) {
      const { port, events } = await tunnelWith({
        kind: 'relay',
        url: `http://127.0.0.1:${relay.port}`,
        ...(password !== undefined ? { username: 'gw', password } : {}),
      });
      const { status, answer } = await refusal(port, '127.0.0.1:443');
      expect(status).toBe(502);
      expect(answer).toContain('details="relay-auth-required"');
      expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ dialFailure: 'relay-auth-required' });
    }
  });

  it('maps a relay that refuses the target to relay-refused, and a relay that is down to relay-unreachable', async () => {
    const relay = await startProxyRelay();
    const refused = await tunnelWith({ kind: 'relay', url: `http://127.0.0.1:${relay.port}` });
    expect((await refusal(refused.port, `127.0.0.1:${await closedPort()}`)).status).toBe(502);
    expect(eventsOf(refused.events, 'request-refused')[0]).toMatchObject({ dialFailure: 'relay-refused' });

    const down = await tunnelWith({ kind: 'relay', url: `http://127.0.0.1:${await closedPort()}` });
    expect((await refusal(down.port, '127.0.0.1:443')).status).toBe(502);
    expect(eventsOf(down.events, 'request-refused')[0]).toMatchObject({ dialFailure: 'relay-unreachable' });
  });

  it('times out a relay that accepts but never answers the CONNECT', async () => {
    const silent = net.createServer(() => {});
    const sockets: net.Socket[] = [];
    silent.on('connection', (socket) => sockets.push(socket));
    const relayPort = await listen(silent);
    cleanup.push(() => {
      for (const socket of sockets) socket.destroy();
      return closeServer(silent);
    });
    const { port, events } = await tunnelWith(
      { kind: 'relay', url: `http://127.0.0.1:${relayPort}` },
      undefined,
      300,
    );
    expect((await refusal(port, '127.0.0.1:443')).status).toBe(504);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ dialFailure: 'timeout' });
  });

  it('tunnels through an HTTPS relay trusting its CA', async () => {
    const target = await startEchoTarget(cleanup);
    const relay = await startProxyRelay({ tls: true });
    const { port } = await tunnelWith({
      kind: 'relay',
      url: `https://localhost:${relay.port}`,
      ca: testCerts.ca,
    });
    const { socket, rest } = await openTunnel(port, `127.0.0.1:${target.port}`);
    // TLS to the relay has no half-close (close_notify ends both ways): read the echo before closing.
    socket.write('over tls to the relay');
    let echoed = rest.toString();
    socket.on('data', (chunk: Buffer) => {
      echoed += chunk.toString();
    });
    socket.resume();
    await expect.poll(() => echoed).toBe('over tls to the relay');
    await drainAndClose(socket.end());
  });

  it('refuses relay URLs with user info or an unknown scheme', async () => {
    for (const url of ['http://u:p@127.0.0.1:1', 'ftp://127.0.0.1:1']) {
      const { port, events } = await tunnelWith({ kind: 'relay', url });
      expect((await refusal(port, '127.0.0.1:443')).status).toBe(502);
      expect(eventsOf(events, 'request-refused')[0]?.error).toMatchObject({ code: 'TUNNEL_INVALID_RELAY' });
    }
  });

  it('tunnels through squid with Basic credentials, and maps its 407 without them', async () => {
    const target = await startEchoTarget(cleanup);
    const squid = await startSquid({
      hosts: { 'target.test': '127.0.0.1' },
      credentials: { user: 'agent', password: 'pa55' },
    });
    cleanup.push(squid.stop);
    const good = await tunnelWith(
      { kind: 'relay', url: `http://127.0.0.1:${squid.port}`, username: 'agent', password: 'pa55' },
      neverResolve,
    );
    const { socket, rest } = await openTunnel(good.port, `target.test:${target.port}`);
    // squid closes a tunnel both ways on the first FIN: read the echo before closing.
    socket.write('through squid');
    let echoed = rest.toString();
    socket.on('data', (chunk: Buffer) => {
      echoed += chunk.toString();
    });
    socket.resume();
    await expect.poll(() => echoed).toBe('through squid');
    await drainAndClose(socket.end());

    const anonymous = await tunnelWith({ kind: 'relay', url: `http://127.0.0.1:${squid.port}` });
    expect((await refusal(anonymous.port, `target.test:${target.port}`)).status).toBe(502);
    expect(eventsOf(anonymous.events, 'request-refused')[0]).toMatchObject({
      dialFailure: 'relay-auth-required',
    });
  });
});

describe('SOCKS relay dial', () => {
  it('tunnels through a SOCKS5 relay, sending the name unresolved even for a socks5:// URL', async () => {
    const target = await startEchoTarget(cleanup);
    const relay = await startSocks5(cleanup);
    const { port } = await tunnelWith(
      { kind: 'relay', url: `socks5://127.0.0.1:${relay.port}` },
      neverResolve,
    );
    const { socket, rest } = await openTunnel(port, `named.test:${target.port}`);
    socket.end('via socks');
    expect((await readAll(socket, rest)).toString()).toBe('via socks');
    expect(relay.requested).toEqual([`named.test:${target.port}`]);
  });

  it('authenticates to a SOCKS5 relay, and maps bad credentials and refusals', async () => {
    const target = await startEchoTarget(cleanup);
    const relay = await startSocks5(cleanup, { user: 'gw', password: 'pw' });
    const good = await tunnelWith({
      kind: 'relay',
      url: `socks5://127.0.0.1:${relay.port}`,
      username: 'gw',
      password: 'pw',
    });
    const { socket, rest } = await openTunnel(good.port, `127.0.0.1:${target.port}`);
    socket.end('socks auth');
    expect((await readAll(socket, rest)).toString()).toBe('socks auth');

    const bad = await tunnelWith({
      kind: 'relay',
      url: `socks5://127.0.0.1:${relay.port}`,
      username: 'gw',
      password: 'no',
    });
    expect((await refusal(bad.port, `127.0.0.1:${target.port}`)).status).toBe(502);
    expect(eventsOf(bad.events, 'request-refused')[0]).toMatchObject({ dialFailure: 'relay-auth-required' });

    expect((await refusal(good.port, `127.0.0.1:${await closedPort()}`)).status).toBe(502);
    expect(eventsOf(good.events, 'request-refused')[0]).toMatchObject({ dialFailure: 'relay-refused' });

    const down = await tunnelWith({ kind: 'relay', url: `socks5://127.0.0.1:${await closedPort()}` });
    expect((await refusal(down.port, '127.0.0.1:443')).status).toBe(502);
    expect(eventsOf(down.events, 'request-refused')[0]).toMatchObject({ dialFailure: 'relay-unreachable' });
  });
});
