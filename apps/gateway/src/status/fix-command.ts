import type { Policy } from '@agent-gateway/policy';
import type { GatewayConfig } from '../config/schema.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { splitTarget } from './address.ts';
import type { RefusedEntry } from './refused-tracker.ts';

/**
 * What would allow a refused target: the exact command, or why there is none (a message key of the status
 * page's messages, with its parameters). `allowedNow`: the configuration in force allows the target by now
 * (the command was run).
 */
export interface RefusalFix {
  command?: string;
  /** A key under `fix` in the page's messages, e.g. `hostDenied`. */
  note?: string;
  params?: Record<string, string | number>;
  allowedNow: boolean;
}

/** A refused target with its fix, as `/api/refused` returns it. */
export type RefusedWithFix = RefusedEntry & { fix: RefusalFix };

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9._:/@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const policies = new WeakMap<GatewayConfig, Policy>();

function policyOf(config: GatewayConfig): Policy | undefined {
  let policy = policies.get(config);
  if (policy === undefined) {
    try {
      policy = compileGatewayPolicy(config);
    } catch {
      return undefined;
    }
    policies.set(config, policy);
  }
  return policy;
}

/** A CIDR naming exactly one address. */
function hostCidr(address: string): string {
  return address.includes(':') ? `${address}/128` : `${address}/32`;
}

/**
 * Works out the fix of each refused entry against the configuration in force. `configFile` goes into the
 * commands (`-c FILE`) so that they change the file this gateway watches, wherever they are run.
 */
export function withFixes(
  entries: readonly RefusedEntry[],
  config: GatewayConfig,
  configFile?: string,
): RefusedWithFix[] {
  const cli = configFile === undefined ? 'agent-gateway' : `agent-gateway -c ${shellQuote(configFile)}`;
  const policy = policyOf(config);
  return entries.map((entry) => ({ ...entry, fix: fixFor(entry, config, policy, cli) }));
}

function setList(cli: string, key: string, values: readonly (string | number)[]): string {
  return `${cli} config set ${key} ${shellQuote(JSON.stringify(values))}`;
}

function fixFor(
  entry: RefusedEntry,
  config: GatewayConfig,
  policy: Policy | undefined,
  cli: string,
): RefusalFix {
  const target = splitTarget(entry.target);
  const host = target?.host ?? entry.target;
  const targetAllowed = () => target && policy?.decideTarget(target.host, target.port).allow;
  switch (entry.reason) {
    case 'host-not-allowed':
    case 'ip-literal-not-allowed':
    case 'port-not-allowed': {
      if (target === undefined) return { note: 'unknownTarget', allowedNow: false };
      if (targetAllowed()) return { allowedNow: true };
      const commands: string[] = [];
      if (!config.AllowedPorts.includes(target.port)) {
        commands.push(
          setList(
            cli,
            'AllowedPorts',
            [...config.AllowedPorts, target.port].sort((a, b) => a - b),
          ),
        );
      }
      // The host's decision does not depend on the port: ask with a port that is allowed.
      const probePort = config.AllowedPorts[0];
      const hostDecision = probePort === undefined ? undefined : policy?.decideTarget(target.host, probePort);
      if (hostDecision?.allow === false && hostDecision.reason === 'host-denied')
        return { note: 'hostDenied', params: { host }, allowedNow: false };
      if (!hostDecision?.allow) commands.push(`${cli} allowed-host add ${shellQuote(target.host)}`);
      return { command: commands.join(' && '), allowedNow: false };
    }
    case 'host-denied':
      return targetAllowed()
        ? { allowedNow: true }
        : { note: 'hostDenied', params: { host }, allowedNow: false };
    case 'destination-not-allowed':
      // The address it resolved to is not in the event, so no exact command: the note names the key.
      return { note: 'destinationNotAllowed', params: { host }, allowedNow: false };
    case 'client-network-not-allowed':
    case 'proxy-not-trusted': {
      const key = entry.reason === 'proxy-not-trusted' ? 'TrustedProxyNetworks' : 'AllowedClientNetworks';
      const current = config[key];
      const added = entry.clients.map(hostCidr).filter((cidr) => !current.includes(cidr));
      if (added.length === 0) return { allowedNow: true };
      return { command: setList(cli, key, [...current, ...added]), allowedNow: false };
    }
    case 'client-certificate-not-allowed':
      if (entry.subject === undefined) return { note: 'certificateUnknown', allowedNow: false };
      if (config.AllowedClientCertificateSubjects.includes(entry.subject)) return { allowedNow: true };
      return { command: `${cli} allowed-client-cert add ${shellQuote(entry.subject)}`, allowedNow: false };
    case 'client-certificate-required':
      return { note: 'certificateRequired', allowedNow: false };
    case 'version-too-low': {
      const offered = /^(?:TLS\s*)?1\.([0-3])$/i.exec(entry.tlsVersion ?? '')?.[1];
      if (offered === undefined)
        return { note: 'versionTooLow', params: { min: config.MinTlsVersion }, allowedNow: false };
      const version = `1.${offered}`;
      if (version >= config.MinTlsVersion) return { allowedNow: true };
      return {
        command: `${cli} config set MinTlsVersion ${version}`,
        note: 'versionLowersFloor',
        params: { min: config.MinTlsVersion },
        allowedNow: false,
      };
    }
    case 'sni-mismatch':
      return { note: 'sniMismatch', params: { host, sni: entry.sni ?? '?' }, allowedNow: false };
    case 'sni-missing':
      return { note: 'sniMissing', params: { host }, allowedNow: false };
    case 'not-tls':
      return { note: 'notTls', allowedNow: false };
    case 'handshake-too-large':
    case 'handshake-timeout':
    case 'tls-unparseable':
      return { note: 'brokenHandshake', allowedNow: false };
    case 'max-tunnels':
    case 'max-tunnels-per-client':
      return {
        note: 'capacity',
        params: {
          key: entry.reason === 'max-tunnels' ? 'MaxTunnels' : 'MaxTunnelsPerClient',
          max: entry.max ?? '?',
        },
        allowedNow: false,
      };
    default:
      return { note: 'unknownReason', params: { reason: entry.reason }, allowedNow: false };
  }
}
