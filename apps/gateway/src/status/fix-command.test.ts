import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { shellQuote, withFixes } from './fix-command.ts';
import type { RefusedEntry } from './refused-tracker.ts';

const config = configSchema.parse({
  Presets: [],
  AllowedHosts: ['ok.example', '*.wild.example'],
  DeniedHosts: ['bad.wild.example'],
  AllowedPorts: [443],
  AllowedClientNetworks: ['10.0.0.0/24'],
});

function entry(target: string, reason: string, extra: Partial<RefusedEntry> = {}): RefusedEntry {
  return {
    target,
    reason,
    eventId: 105,
    count: 1,
    clients: ['10.9.0.1'],
    moreClients: 0,
    firstSeen: 0,
    lastSeen: 0,
    ...extra,
  };
}

const fixOf = (refused: RefusedEntry, file?: string) => withFixes([refused], config, file)[0]?.fix;

describe('fix commands', () => {
  it('allows a host with allowed-host add, naming the watched file', () => {
    expect(fixOf(entry('new.example:443', 'host-not-allowed'))).toEqual({
      command: 'agent-gateway allowed-host add new.example',
      allowedNow: false,
    });
    expect(fixOf(entry('new.example:443', 'host-not-allowed'), '/etc/agent gateway/gw.json')?.command).toBe(
      "agent-gateway -c '/etc/agent gateway/gw.json' allowed-host add new.example",
    );
  });

  it('adds the port to AllowedPorts, and the host too when it is not allowed either', () => {
    expect(fixOf(entry('ok.example:8443', 'port-not-allowed'))?.command).toBe(
      "agent-gateway config set AllowedPorts '[443,8443]'",
    );
    expect(fixOf(entry('new.example:8443', 'port-not-allowed'))?.command).toBe(
      "agent-gateway config set AllowedPorts '[443,8443]' && agent-gateway allowed-host add new.example",
    );
  });

  it('allows an IP literal as a host, and says when a target is allowed by now', () => {
    expect(fixOf(entry('[2001:db8::7]:443', 'ip-literal-not-allowed'))?.command).toBe(
      'agent-gateway allowed-host add 2001:db8::7',
    );
    expect(fixOf(entry('ok.example:443', 'host-not-allowed'))).toEqual({ allowedNow: true });
    expect(fixOf(entry('a.wild.example:443', 'host-not-allowed'))).toEqual({ allowedNow: true });
  });

  it('offers no command for a denied host, an SNI mismatch, non-TLS, a broken handshake, a private destination or capacity', () => {
    expect(fixOf(entry('bad.wild.example:443', 'host-denied'))).toEqual({
      note: 'hostDenied',
      params: { host: 'bad.wild.example' },
      allowedNow: false,
    });
    expect(fixOf(entry('bad.wild.example:8443', 'port-not-allowed'))).toMatchObject({ note: 'hostDenied' });
    expect(fixOf(entry('ok.example:443', 'sni-mismatch', { eventId: 106, sni: 'evil.example' }))).toEqual({
      note: 'sniMismatch',
      params: { host: 'ok.example', sni: 'evil.example' },
      allowedNow: false,
    });
    for (const reason of [
      'not-tls',
      'handshake-timeout',
      'tls-unparseable',
      'destination-not-allowed',
      'sni-missing',
      'client-certificate-required',
    ]) {
      const fix = fixOf(entry('ok.example:443', reason));
      expect(fix?.command, reason).toBeUndefined();
      expect(fix?.note, reason).toBeTruthy();
    }
    expect(fixOf(entry('-', 'max-tunnels', { eventId: 109, max: 20 }))).toEqual({
      note: 'capacity',
      params: { key: 'MaxTunnels', max: 20 },
      allowedNow: false,
    });
    expect(fixOf(entry('x:1', 'something-new'))).toMatchObject({
      note: 'unknownReason',
      params: { reason: 'something-new' },
    });
  });

  it('adds refused client networks and certificate subjects, and lowers MinTlsVersion only as asked', () => {
    expect(
      fixOf(entry('-', 'client-network-not-allowed', { clients: ['10.9.0.1', 'fd00::5'] }))?.command,
    ).toBe(`agent-gateway config set AllowedClientNetworks '["10.0.0.0/24","10.9.0.1/32","fd00::5/128"]'`);
    expect(
      fixOf(entry('ok.example:443', 'client-certificate-not-allowed', { subject: "CN=o'brien,O=Contoso" }))
        ?.command,
    ).toBe(`agent-gateway allowed-client-cert add 'CN=o'\\''brien,O=Contoso'`);
    expect(fixOf(entry('ok.example:443', 'version-too-low', { eventId: 106, tlsVersion: '1.1' }))).toEqual({
      command: 'agent-gateway config set MinTlsVersion 1.1',
      note: 'versionLowersFloor',
      params: { min: '1.2' },
      allowedNow: false,
    });
  });

  it('quotes for a POSIX shell only what needs it', () => {
    expect(shellQuote('a.example')).toBe('a.example');
    expect(shellQuote('*.example.com')).toBe("'*.example.com'");
    expect(shellQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});
