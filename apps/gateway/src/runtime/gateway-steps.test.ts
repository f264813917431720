// The gateway's per-tunnel steps (decide, TLS outcome, lifecycle events) as functions of a context, with
// plain objects for requests and events: no sockets, no process. The end-to-end tests drive the same steps
// through a real gateway.
import { GatewayCounters } from '@agent-gateway/counters';
import { createEventLog, createRecentEvents, type EventRecord } from '@agent-gateway/events';
import { type ConnectRequest, type Decision, defaultTunnelLimits } from '@agent-gateway/tunnel';
import { describe, expect, it } from 'vitest';
import { type GatewayConfigInput, validateConfig } from '../config/index.ts';
import { decideConnect } from './decide-connect.ts';
import { FingerprintLedger } from './fingerprint-ledger.ts';
import type { GatewayContext } from './gateway-context.ts';
import { reportLifecycleEvent } from './lifecycle-events.ts';
import type { HostLookup } from './resolve-target.ts';
import { buildSettings } from './settings.ts';
import { SheddingMonitor } from './shedding-monitor.ts';

function contextFor(config: GatewayConfigInput, lookup?: HostLookup) {
  const recent = createRecentEvents({ capacity: 100 });
  const counters = new GatewayCounters();
  const events = createEventLog({ sinks: [recent], onEmit: (id) => counters.recordEvent(id) });
  const names: Record<string, string[]> = {};
  const context: GatewayContext = {
    settings: buildSettings(validateConfig({ Presets: [], ...config })),
    events,
    counters,
    tunnels: new Map(),
    lookup:
      lookup ??
      (async (host) => {
        const found = names[host];
        if (found === undefined) throw Object.assign(new Error(`no ${host}`), { code: 'ENOTFOUND' });
        return found;
      }),
    limits: () => ({ ...defaultTunnelLimits, maxTunnels: 7 }),
    shedding: new SheddingMonitor(events, () => ({ pending: 0, connections: 0 }), 200),
    fingerprints: new FingerprintLedger(4),
  };
  const emitted = (id?: number): EventRecord[] =>
    recent.list().filter((event) => id === undefined || event.id === id);
  return { context, emitted, counters, names };
}

// What the TLS parser computes from curl's recorded ClientHello (packages/tls-handshake fixtures).
const CURL_JA4 = 't13d3112h2_e8f1e7e78f70_b26ce05bbdd6';
const CURL_JA3 = '0149f47eabf9a20d0893e2a44e5a6323';

let nextId = 1;
function request(host: string, port = 443): ConnectRequest {
  return { id: nextId++, clientAddress: '10.1.2.3', clientPort: 50412, host, port, headers: new Headers() };
}

describe('decideConnect', () => {
  it('a host the policy refuses: 403 and event 105, decided without a promise', () => {
    const { context, emitted } = contextFor({ AllowedHosts: ['allowed.test'] });
    const decision = decideConnect(context, request('evil.test'));
    expect(decision).toEqual({ allow: false, status: 403, reason: 'host-not-allowed' });
    expect(emitted(105)[0]).toMatchObject({
      client: '10.1.2.3:50412',
      target: 'evil.test:443',
      reason: 'host-not-allowed',
    });
  });

  it('an IP literal or a HostOverrides name: the addresses to dial, decided without a promise', () => {
    const { context } = contextFor({
      AllowedHosts: ['pinned.test', '93.184.216.9'],
      HostOverrides: { 'Pinned.Test.': '93.184.216.7' },
    });
    expect(decideConnect(context, request('pinned.test'))).toEqual({
      allow: true,
      dial: { kind: 'direct', addresses: ['93.184.216.7'] },
    });
    expect(decideConnect(context, request('93.184.216.9'))).toEqual({
      allow: true,
      dial: { kind: 'direct', addresses: ['93.184.216.9'] },
    });
  });

  it('a name from the lookup: private addresses are dropped, a name with only private ones is refused (105)', async () => {
    const { context, emitted, names } = contextFor({ AllowedHosts: ['*.example.test'] });
    names['mixed.example.test'] = ['10.0.0.1', '93.184.216.8'];
    names['inside.example.test'] = ['169.254.169.254'];
    expect(await decideConnect(context, request('mixed.example.test'))).toEqual({
      allow: true,
      dial: { kind: 'direct', addresses: ['93.184.216.8'] },
    });
    const inside = await decideConnect(context, request('inside.example.test'));
    expect(inside).toMatchObject({ allow: false, status: 403 });
    expect(emitted(105).at(-1)).toMatchObject({ reason: 'destination-not-allowed' });
  });

  it("a lookup's fresh answer from memory keeps decide synchronous, and the SSRF guard still applies to it", () => {
    const answers: Record<string, string[]> = {
      'a.example.test': ['93.184.216.5'],
      'b.example.test': ['127.0.0.1'],
    };
    const lookup: HostLookup = Object.assign(async () => [], { cached: (host: string) => answers[host] });
    const { context } = contextFor({ AllowedHosts: ['*.example.test'] }, lookup);
    expect(decideConnect(context, request('a.example.test'))).toEqual({
      allow: true,
      dial: { kind: 'direct', addresses: ['93.184.216.5'] },
    });
    expect(decideConnect(context, request('b.example.test'))).toMatchObject({ allow: false });
  });

  it('a name that does not resolve is allowed to fail in the dial (502, event 403), not refused', async () => {
    const { context } = contextFor({ AllowedHosts: ['gone.test'] });
    const decision = (await decideConnect(context, request('gone.test'))) as Extract<
      Decision,
      { allow: true }
    >;
    expect(decision.allow).toBe(true);
    const resolve = decision.dial.kind === 'direct' ? decision.dial.resolve : undefined;
    await expect(resolve?.('gone.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('with a relay: the relay dial with its credentials, and a RelayBypassHosts entry goes direct', () => {
    const { context } = contextFor({
      AllowedHosts: ['a.test', 'b.test'],
      RelayProxy: 'http://relay.corp:3128',
      RelayProxyUsername: 'gw',
      RelayProxyPassword: 'secret',
      RelayBypassHosts: ['b.test'],
      HostOverrides: { 'b.test': '93.184.216.2' },
    });
    expect(decideConnect(context, request('a.test'))).toEqual({
      allow: true,
      dial: { kind: 'relay', url: 'http://relay.corp:3128', username: 'gw', password: 'secret' },
    });
    expect(decideConnect(context, request('b.test'))).toEqual({
      allow: true,
      dial: { kind: 'direct', addresses: ['93.184.216.2'] },
    });
  });
});

describe('reportLifecycleEvent', () => {
  it('a tunnel verified by its TLS outcome ends as verified: 107, then 108 with bytes, counted once', () => {
    const { context, emitted, counters } = contextFor({
      AllowedHosts: ['a.test'],
      HostOverrides: { 'a.test': '93.184.216.1' },
    });
    const connect = request('a.test');
    decideConnect(context, connect);
    context.tunnels.get(connect.id)?.tlsOutcome({
      kind: 'verified',
      tlsVersion: 'TLS 1.3',
      sni: 'a.test',
      ech: false,
      fingerprint: { ja4: CURL_JA4, ja3: CURL_JA3 },
    });
    reportLifecycleEvent(context, {
      type: 'tunnel-ended',
      id: connect.id,
      clientAddress: '10.1.2.3',
      host: 'a.test',
      port: 443,
      result: 'closed',
      bytesUpstream: 518,
      bytesDownstream: 1905,
      durationMs: 9.4,
    });
    expect(emitted(107)[0]).toMatchObject({
      client: '10.1.2.3:50412',
      target: 'a.test:443',
      tlsVersion: 'TLS 1.3',
      ja4: CURL_JA4,
      ja3: CURL_JA3,
    });
    expect(emitted(107)[0]).not.toHaveProperty('fingerprint');
    expect(context.fingerprints.report().fingerprints).toMatchObject([
      { ja4: CURL_JA4, count: 1, refused: 0, exampleSni: 'a.test', exampleClient: '10.1.2.3:50412' },
    ]);
    expect(emitted(108)[0]).toMatchObject({
      result: 'verified',
      bytesUp: 518,
      bytesDown: 1905,
      durationMs: 9,
    });
    expect(counters.snapshot().tunnels).toMatchObject({ verified: 1, refused: 0 });
    expect(context.tunnels.size).toBe(0);
  });

  it('a fingerprint the policy refuses: 106 fingerprint-not-allowed with ja4/ja3, a refused sighting', () => {
    const { context, emitted, counters } = contextFor({
      AllowedHosts: ['a.test'],
      HostOverrides: { 'a.test': '93.184.216.1' },
    });
    const connect = request('a.test');
    decideConnect(context, connect);
    context.tunnels.get(connect.id)?.tlsOutcome({
      kind: 'rejected',
      event: 106,
      reason: 'fingerprint-not-allowed',
      sni: 'a.test',
      fingerprint: { ja4: CURL_JA4, ja3: CURL_JA3 },
    });
    expect(emitted(106)[0]).toMatchObject({
      reason: 'fingerprint-not-allowed',
      ja4: CURL_JA4,
      ja3: CURL_JA3,
      message: `Closed the tunnel to a.test:443 from 10.1.2.3:50412: the client's TLS fingerprint is not in AllowedClientFingerprints (JA4 ${CURL_JA4})`,
    });
    expect(context.fingerprints.report().fingerprints).toMatchObject([
      { ja4: CURL_JA4, count: 0, refused: 1 },
    ]);
    expect(counters.snapshot().events['106']).toBe(1);
  });

  it('a client no entry lists, in log mode: 107 says so and names no label', () => {
    const { context, emitted } = contextFor({ AllowedHosts: ['a.test'] });
    const connect = request('a.test');
    decideConnect(context, connect);
    context.tunnels.get(connect.id)?.tlsOutcome({
      kind: 'verified',
      tlsVersion: 'TLS 1.3',
      ech: false,
      fingerprint: { ja4: CURL_JA4, ja3: CURL_JA3 },
      fingerprintCheck: 'not-listed',
    });
    expect(emitted(107)[0]).toMatchObject({ fingerprint: 'not-listed', ja4: CURL_JA4 });
    expect(String(emitted(107)[0]?.message)).toMatch(`JA4 ${CURL_JA4} is not in AllowedClientFingerprints`);
  });

  it('an inspection timeout: 106 handshake-timeout and a tunnel counted as timed out', () => {
    const { context, emitted, counters } = contextFor({
      AllowedHosts: ['a.test'],
      HostOverrides: { 'a.test': '93.184.216.1' },
    });
    const connect = request('a.test');
    decideConnect(context, connect);
    reportLifecycleEvent(context, {
      type: 'tunnel-ended',
      id: connect.id,
      clientAddress: '10.1.2.3',
      host: 'a.test',
      port: 443,
      result: 'inspection-timeout',
      bytesUpstream: 0,
      bytesDownstream: 0,
      durationMs: 10_000,
    });
    expect(emitted(106)[0]).toMatchObject({ reason: 'handshake-timeout' });
    expect(counters.snapshot().tunnels.timeout).toBe(1);
  });

  it.each([
    ['malformed', 'HPE_INVALID_HEADER_TOKEN', 400, 104, { reason: 'malformed-header' }],
    ['not-connect', 'method GET', 405, 104, { reason: 'method-not-allowed' }],
    ['head-timeout', 'no complete head within 10 ms', 408, 104, { reason: 'header-timeout' }],
    ['capacity', 'tunnel limit 7 reached', 503, 109, { limit: 'max-tunnels', max: 7 }],
    ['not-admitted', 'connection not admitted', 403, 105, { reason: 'client-network-not-allowed' }],
  ] as const)('a %s refusal: its event', (kind, reason, status, id, fields) => {
    const { context, emitted } = contextFor({});
    reportLifecycleEvent(context, {
      type: 'request-refused',
      clientAddress: '10.1.2.3',
      clientPort: 50412,
      status,
      kind,
      reason,
    });
    expect(emitted(id)[0]).toMatchObject({ client: '10.1.2.3:50412', ...fields });
  });

  it('a failed dial: 403 naming the way it was dialled and the failure, counted as failed or timed out', () => {
    const { context, emitted, counters } = contextFor({
      AllowedHosts: ['a.test'],
      HostOverrides: { 'a.test': '93.184.216.1' },
    });
    const connect = request('a.test');
    decideConnect(context, connect);
    reportLifecycleEvent(context, {
      type: 'request-refused',
      id: connect.id,
      clientAddress: '10.1.2.3',
      clientPort: 50412,
      status: 504,
      kind: 'dial-failed',
      reason: 'connect to a.test:443 timed out',
      dialFailure: 'timeout',
      host: 'a.test',
      port: 443,
    });
    expect(emitted(403)[0]).toMatchObject({
      via: 'direct',
      code: 'timeout',
      status: 504,
      target: 'a.test:443',
    });
    expect(counters.snapshot().tunnels.timeout).toBe(1);
  });

  it('connections count by the original client behind a PROXY header', () => {
    const { context, counters } = contextFor({});
    const proxied = {
      clientAddress: '10.0.0.9',
      clientPort: 1,
      proxiedSource: { address: '192.0.2.1', port: 2 },
      connections: 1,
    };
    reportLifecycleEvent(context, { type: 'connection-opened', ...proxied });
    expect(counters.snapshot({ clients: true })).toMatchObject({
      activeClientConnections: 1,
      connectedClients: 1,
    });
    reportLifecycleEvent(context, { type: 'connection-closed', ...proxied, connections: 0 });
    expect(counters.snapshot().activeClientConnections).toBe(0);
  });

  it('shed connections are counted one by one and reported by event 112 once per period, then once when it ends', async () => {
    const { context, emitted, counters } = contextFor({});
    const shed = (reason: 'pending-full' | 'connection-limit') =>
      reportLifecycleEvent(context, {
        type: 'connection-shed',
        reason,
        clientAddress: '10.9.9.9',
        clientPort: 1,
      });
    for (let i = 0; i < 500; i++) shed('pending-full');
    for (let i = 0; i < 3; i++) shed('connection-limit');
    expect(counters.snapshot().shed).toMatchObject({ 'pending-full': 500, 'connection-limit': 3 });
    expect(emitted(112)).toEqual([]);
    await expect.poll(() => emitted(112).length, { timeout: 2000 }).toBe(1);
    expect(emitted(112)[0]).toMatchObject({
      phase: 'shedding',
      shed: 503,
      reasons: 'pending-full 500, connection-limit 3',
    });
    shed('pending-full');
    await expect.poll(() => emitted(112).length, { timeout: 2000 }).toBe(2);
    await expect.poll(() => emitted(112).length, { timeout: 2000 }).toBe(3);
    expect(emitted(112).map((event) => [event.phase, event.shed])).toEqual([
      ['shedding', 503],
      ['shedding', 1],
      ['ended', 504],
    ]);
    context.shedding.close();
  });
});
