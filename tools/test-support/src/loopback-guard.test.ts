import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, LoopbackGuardError } from './loopback-guard.ts';

// The guard is installed by the shared vitest setup file, so these tests see it exactly as every other test does.
describe('loopback guard', () => {
  it('classifies loopback addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.3.4.5')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('[::1]')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(isLoopbackAddress('example.com')).toBe(false);
  });

  it('refuses TCP connects beyond loopback and names that need DNS', () => {
    expect(() => net.connect(443, '192.0.2.1')).toThrow(LoopbackGuardError);
    expect(() => net.connect({ host: '2001:db8::1', port: 443 })).toThrow(LoopbackGuardError);
    expect(() => net.connect({ host: 'example.com', port: 443 })).toThrow(/DNS lookup/);
  });

  it('refuses the system resolver and non-loopback DNS servers', () => {
    expect(() => dns.lookup('example.com', () => {})).toThrow(LoopbackGuardError);
    expect(() => dns.resolve4('example.com', () => {})).toThrow(LoopbackGuardError);
    const resolver = new dns.Resolver();
    resolver.setServers(['192.0.2.53']);
    expect(() => resolver.resolve4('example.com', () => {})).toThrow(LoopbackGuardError);
  });

  it('refuses UDP sends beyond loopback', () => {
    const socket = dgram.createSocket('udp4');
    try {
      expect(() => socket.send('x', 514, '192.0.2.1')).toThrow(LoopbackGuardError);
    } finally {
      socket.close();
    }
  });

  it('lets loopback traffic through', async () => {
    const server = net.createServer((socket) => socket.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, 'localhost');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    server.close();
    expect(reply).toBe('hi');
  });
});
