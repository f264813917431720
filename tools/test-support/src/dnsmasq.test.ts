import * as dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDnsmasq, startDnsmasq } from './dnsmasq.ts';

let server: RunningDnsmasq;

function resolverFor(timeoutMs = 300): dns.promises.Resolver {
  const resolver = new dns.promises.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server.server]);
  return resolver;
}

beforeAll(async () => {
  server = await startDnsmasq({
    records: { 'a.example.test': '127.0.0.2', 'dual.example.test': ['127.0.0.3', '::1'] },
    ttlSec: 7,
  });
});

afterAll(async () => {
  await server?.close();
});

describe('startDnsmasq', () => {
  it('answers A and AAAA from its records with the TTL asked for, NXDOMAIN for other names', async () => {
    const resolver = resolverFor();
    expect(await resolver.resolve4('a.example.test', { ttl: true })).toEqual([
      { address: '127.0.0.2', ttl: 7 },
    ]);
    expect(await resolver.resolve6('dual.example.test')).toEqual(['::1']);
    await expect(resolver.resolve4('missing.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve6('a.example.test')).rejects.toMatchObject({ code: 'ENODATA' });
    expect(server.queryCount('a.example.test')).toBe(1);
    expect(server.queryCount('a.example.test', 'AAAA')).toBe(1);
  });

  it('serves new records after setRecords', async () => {
    await server.setRecords({ 'a.example.test': '127.0.0.4' });
    expect(await resolverFor().resolve4('a.example.test')).toEqual(['127.0.0.4']);
    await expect(resolverFor().resolve4('dual.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('refuses while stopped, answers again after start, times out while paused', async () => {
    await server.stop();
    await expect(resolverFor().resolve4('a.example.test')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.start();
    expect(await resolverFor().resolve4('a.example.test')).toEqual(['127.0.0.4']);
    server.pause();
    try {
      await expect(resolverFor(200).resolve4('a.example.test')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    } finally {
      server.resume();
    }
    expect(await resolverFor().resolve4('a.example.test')).toEqual(['127.0.0.4']);
  });
});
