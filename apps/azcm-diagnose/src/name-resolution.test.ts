import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../test/support/dns-server.ts';
import { parseResolve } from './curl-seams.ts';
import { NameResolver, ResolutionError } from './name-resolution.ts';

describe('NameResolver', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer({ 'gbl.his.arc.azure.com': '127.0.0.1' });
  });
  afterAll(() => dns.close());

  it('answers literals and --resolve entries without a query', async () => {
    const resolver = new NameResolver({ resolve: [parseResolve('management.azure.com:443:127.0.0.7')] });
    await expect(resolver.lookup('127.0.0.5', 443)).resolves.toEqual({
      addresses: ['127.0.0.5'],
      source: 'literal',
    });
    await expect(resolver.lookup('[::1]', 443)).resolves.toEqual({ addresses: ['::1'], source: 'literal' });
    await expect(resolver.lookup('Management.Azure.com', 443)).resolves.toEqual({
      addresses: ['127.0.0.7'],
      source: 'resolve-option',
    });
  });

  it('asks the --dns-server and reports NXDOMAIN as ENOTFOUND', async () => {
    const resolver = new NameResolver({ dnsServer: { address: dns.address, port: dns.port } });
    await expect(resolver.lookup('gbl.his.arc.azure.com', 443)).resolves.toEqual({
      addresses: ['127.0.0.1'],
      source: 'dns-server',
    });
    const failure = await resolver.lookup('nowhere.invalid', 443).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResolutionError);
    expect((failure as ResolutionError).code).toBe('ENOTFOUND');
    expect(dns.queries).toContain('nowhere.invalid');
  });

  it('gives up on a DNS server that never answers', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const resolver = new NameResolver({ dnsServer: { address: '127.0.0.1', port }, timeoutMs: 200 });
    const failure = await resolver.lookup('gbl.his.arc.azure.com', 443).catch((error: unknown) => error);
    silent.close();
    expect((failure as ResolutionError).code).toBe('ETIMEOUT');
  });

  it('feeds net.connect through netLookup', async () => {
    const resolver = new NameResolver({ resolve: [parseResolve('proxy.test:3128:127.0.0.1')] });
    const answer = await new Promise<unknown>((resolve) =>
      resolver.netLookup(3128)('proxy.test', { all: true }, (_error, addresses) => resolve(addresses)),
    );
    expect(answer).toEqual([{ address: '127.0.0.1', family: 4 }]);
    const failed = await new Promise<unknown>((resolve) =>
      resolver.netLookup(3128)('other.test', {}, (error) => resolve(error)),
    );
    expect(failed).toBeInstanceOf(ResolutionError);
  });
});
