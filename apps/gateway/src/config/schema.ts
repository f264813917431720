import { isIP } from 'node:net';
import { parseDnsServer } from '@agent-gateway/tunnel';
import { z } from 'zod';

import { GATEWAY_LANGUAGES, matchGatewayLanguage } from '../languages/index.ts';

// The schema's own messages are keys of the gateway's message files (section `gateway` of `languages/*.json`): validation
// renders them in the configuration's language, with zod's locale for zod's own messages.
const PORT_MESSAGE = 'config.port';
const port = z
  .number({ error: PORT_MESSAGE })
  .int({ error: PORT_MESSAGE })
  .min(1, { error: PORT_MESSAGE })
  .max(65535, { error: PORT_MESSAGE });
const nonNegativeMs = z
  .number()
  .int()
  .min(0)
  .max(24 * 60 * 60 * 1000);

/** `a.b.c.d/n` or `v6/n`, or a bare address (a /32 or /128). */
const cidr = z.string().refine(
  (value) => {
    const [address, bits, extra] = value.split('/');
    if (extra !== undefined || address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    if (bits === undefined) return true;
    if (!/^\d{1,3}$/.test(bits)) return false;
    return Number(bits) <= (family === 4 ? 32 : 128);
  },
  { message: 'config.cidr' },
);

/** Seconds for the DNS cache's bounds: a week at most (more is a unit mistake, not a policy). */
const dnsSeconds = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 60 * 60);

/** A DNS server: `IP`, `IP:PORT` or `[IPv6]:PORT`, exactly what the tunnel core's cache accepts. */
const dnsServer = z.string().superRefine((value, context) => {
  try {
    parseDnsServer(value);
  } catch (error) {
    // English keeps the tunnel core's own sentence, which says what exactly is wrong.
    context.addIssue({
      code: 'custom',
      message: 'config.dnsServer',
      params: { english: (error as Error).message },
    });
  }
});

const hostPort = z.string().refine(
  (value) => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
    if (!match) return false;
    const host = match[1] ?? match[2] ?? '';
    if (match[1] !== undefined && isIP(host) !== 6) return false;
    const portNumber = Number(match[3]);
    return portNumber >= 1 && portNumber <= 65535;
  },
  { message: 'config.hostPort' },
);

const relayProxyUrl = z.string().refine(
  (value) => {
    if (value === '') return true;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    return (
      ['http:', 'https:', 'socks5:', 'socks5h:'].includes(url.protocol) &&
      url.username === '' &&
      url.password === ''
    );
  },
  { message: 'config.relayUrl' },
);

/**
 * The gateway's configuration file, key by key (PascalCase, as in the original product). Every key has a
 * default, so an empty object is a valid configuration.
 */
export const configSchema = z
  .object({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored by the gateway.'),
    ListenAddress: z
      .string()
      .refine((value) => isIP(value) !== 0, { message: 'config.listenAddress' })
      .default('0.0.0.0')
      .describe('Address the CONNECT listener binds to; `::` for dual stack.'),
    ListenPort: port.default(8080).describe('TCP port of the CONNECT listener (1-65535).'),
    ListenBacklog: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(65535)
      .describe(
        'Connections the kernel may queue before the gateway accepts them; the kernel caps it at net.core.somaxconn (4096 by default). A reconnect storm overflows a short queue and agents wait a second per dropped SYN.',
      ),
    AllowedClientNetworks: z
      .array(cidr)
      .default([])
      .describe(
        'CIDRs clients may connect from; empty allows any client. Behind a PROXY header, the original client is checked.',
      ),
    AcceptProxyProtocol: z
      .boolean()
      .default(false)
      .describe(
        'Every connection must start with a PROXY protocol v1/v2 header (from a load balancer); when false, none is interpreted.',
      ),
    TrustedProxyNetworks: z
      .array(cidr)
      .default([])
      .describe(
        'CIDRs of the load balancers that may send PROXY protocol headers; empty accepts them from any address.',
      ),
    MaxTunnels: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Most open tunnels; 0 derives it from the open-file limit: two descriptors per tunnel, after a reserve of 64 and MaxPendingConnections.',
      ),
    MaxTunnelsPerClient: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Most open tunnels per client address; 0 = no limit.'),
    MaxPendingConnections: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Most connections still sending their request head; a new one closes the oldest of the address with the most of them. 0 = derived from the open-file limit (1/16 of it, 64 to 4096).',
      ),
    MaxConnections: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Most client connections in any phase (503 beyond it). 0 = derived: MaxTunnels + MaxPendingConnections, so clients never take the descriptors of dials, logs and the admin endpoint.',
      ),
    MaxConnectionsPerClient: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Most connections per client address, pending ones included (503 beyond it; behind a PROXY header the original client). 0 = derived: MaxConnections / 8, at least 64.',
      ),
    MaxHeaderBytes: z
      .number()
      .int()
      .min(256)
      .max(65536)
      .default(8192)
      .describe('Largest CONNECT request head (431 beyond it).'),
    HeaderTimeoutMs: nonNegativeMs
      .default(10000)
      .describe('Time a client has to send its request head (408 after it).'),
    AllowedPorts: z.array(port).default([443]).describe('Ports tunnels may go to.'),
    AllowedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('The local allowlist: exact hosts, `*.suffix` wildcards, IP addresses and CIDRs.'),
    DeniedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Hosts that are refused even when allowed elsewhere.'),
    Presets: z
      .array(z.string().min(1))
      .default(['log-analytics', 'azure-arc:AzureCloud'])
      .describe(
        'Host sets from public docs: log-analytics[:WORKSPACE_ID,...], azure-arc:CLOUD[:REGION], automation:REGION[:ACCOUNT_ID], azure-monitor-agent:REGION[:WORKSPACE_ID].',
      ),
    AllowedClientCertificateSubjects: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Client certificate subjects (RFC 4514, e.g. CN=agent-1,O=Contoso; CN=x alone matches any subject with that CN).',
      ),
    ClientCertificatePolicy: z
      .enum(['off', 'when-visible', 'required'])
      .default('when-visible')
      .describe(
        'off | when-visible (check when TLS 1.2 shows the certificate) | required (refuse TLS 1.3 and resumed sessions).',
      ),
    ClientFingerprintPolicy: z
      .enum(['off', 'log', 'enforce'])
      .default('off')
      .describe(
        'off | log (every client is let through; event 107 says when its JA4 matches no AllowedClientFingerprints entry) | enforce (such a client is refused: event 106 fingerprint-not-allowed).',
      ),
    AllowedClientFingerprints: z
      .array(
        z.union([
          z.string().min(1),
          z.object({ JA4: z.string().min(1), Label: z.string().optional() }).strict(),
        ]),
      )
      .default([])
      .describe(
        'JA4 fingerprints of the clients allowed, each part may be * (t13d1516h2_*_*), as a string or {"JA4": ..., "Label": "Arc agent"}; see `agent-gateway fingerprints`.',
      ),
    HostOverrides: z
      .record(
        z.string().min(1),
        z.string().refine((value) => isIP(value) !== 0, { message: 'config.ipAddress' }),
      )
      .default({})
      .describe('Host name -> IP address, applied before DNS.'),
    AllowedDestinationNetworks: z
      .array(cidr)
      .default([])
      .describe(
        'Private/loopback destinations that are allowed after resolution (the SSRF guard refuses them otherwise).',
      ),
    DnsServers: z
      .array(dnsServer)
      .default([])
      .describe(
        'DNS servers the gateway asks itself (IP, IP:PORT or [IPv6]:PORT), with TTLs; empty uses the system resolver (/etc/hosts included).',
      ),
    DnsMaxTtlSec: dnsSeconds
      .default(300)
      .describe('Longest time a DNS answer is cached, whatever its TTL (seconds).'),
    DnsNegativeTtlSec: dnsSeconds
      .default(5)
      .describe('How long a name that does not exist (NXDOMAIN/NODATA) is remembered (seconds).'),
    DnsServeStaleSec: dnsSeconds
      .default(3600)
      .describe(
        'While DNS fails, how long after their TTL cached answers are still used (seconds; 0 = never, RFC 8767).',
      ),
    RelayProxy: relayProxyUrl
      .default('')
      .describe('Upstream relay proxy URL (http://, https:// or socks5://); empty dials directly.'),
    RelayProxyUsername: z.string().default('').describe('Relay proxy user; set with `relay-proxy set`.'),
    RelayProxyPassword: z
      .string()
      .default('')
      .describe('Relay proxy password; set only with `relay-proxy set --password-stdin`, never shown.'),
    RelayProxyCaFile: z.string().default('').describe('CA bundle (PEM) that signs an https:// relay proxy.'),
    RelayBypassHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Hosts dialled directly even when a relay is set.'),
    ConnectTimeoutMs: nonNegativeMs
      .default(10000)
      .describe('Time allowed to reach the target or the relay (504 after it).'),
    IdleTimeoutMs: nonNegativeMs
      .default(0)
      .describe('Close a tunnel with no bytes either way for this long; 0 = never.'),
    TlsInspection: z
      .boolean()
      .default(true)
      .describe('Verify that each tunnel carries a TLS session to the host asked for.'),
    TlsHandshakeTimeoutMs: nonNegativeMs
      .default(10000)
      .describe('Time allowed for the ClientHello and the server flight.'),
    MinTlsVersion: z
      .enum(['1.0', '1.1', '1.2', '1.3'])
      .default('1.2')
      .describe('Lowest TLS version a client may offer as its highest.'),
    DrainTimeoutMs: nonNegativeMs
      .default(30000)
      .describe('On SIGTERM, how long open tunnels may finish before they are closed.'),
    AcceptGraceMs: nonNegativeMs
      .default(0)
      .describe(
        'On SIGTERM, how long new connections are still accepted with /readyz already failing, so a load balancer stops sending before the listener closes.',
      ),
    AdminListen: hostPort
      .default('127.0.0.1:8081')
      .describe('Admin listener: /metrics, /healthz, /readyz, /events, /status and its JSON under /api/.'),
    AdminToken: z
      .string()
      .default('')
      .describe('Bearer token for the admin listener when it is bound beyond loopback.'),
    AdminHostNames: z
      .array(
        z
          .string()
          .regex(
            /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/,
            {
              message: 'expected a host name such as gateway.contoso.local or *.contoso.local',
            },
          ),
      )
      .default([])
      .describe(
        'Host names the admin listener answers to besides IP addresses and localhost (`*.suffix` for any name below it): requests naming another host in their Host header are refused (DNS-rebinding defence).',
      ),
    StatusHistory: z
      .boolean()
      .default(true)
      .describe('Keep 15 minutes of 1-second samples of the counters for /status and /api/history.'),
    EventRepeatLimit: z
      .number()
      .int()
      .min(0)
      .default(50)
      .describe(
        'Events of one kind from one cause (e.g. 105 for one client address and reason) written per EventRepeatWindowSec, and ten times as many of one kind over all causes; the rest become summary lines at the end of the window. Counters count every event. 0 = off.',
      ),
    EventRepeatWindowSec: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe('The window of EventRepeatLimit, in seconds.'),
    LogLanguage: z
      .string()
      .refine((tag) => matchGatewayLanguage(tag) !== undefined, { message: 'config.language' })
      .default('en')
      .describe(
        `Language of event messages, the start banner, configuration errors, the CLI and the status page: a BCP 47 tag, one of ${GATEWAY_LANGUAGES.join(', ')} (pt = pt-BR, zh-TW = zh-Hant, de-AT = de).`,
      ),
  })
  .strict()
  .superRefine((config, context) => {
    const adminHost = config.AdminListen.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const adminOnLoopback = adminHost === 'localhost' || adminHost === '::1' || adminHost.startsWith('127.');
    if (!adminOnLoopback && config.AdminToken === '') {
      context.addIssue({
        code: 'custom',
        path: ['AdminToken'],
        message: 'config.adminToken',
        params: { adminListen: config.AdminListen },
      });
    }
    if (config.RelayProxyPassword !== '' && config.RelayProxyUsername === '') {
      context.addIssue({
        code: 'custom',
        path: ['RelayProxyUsername'],
        message: 'config.relayUser',
      });
    }
  });

/** A complete, validated configuration (every key present). */
export type GatewayConfig = z.output<typeof configSchema>;
/** Configuration as written in the file (every key optional). */
export type GatewayConfigInput = z.input<typeof configSchema>;
/** The configuration keys. */
export type ConfigKey = keyof GatewayConfig;

/** The configuration keys in file order. */
export const configKeys = Object.keys(configSchema.shape).filter((key) => key !== '$schema') as ConfigKey[];

/** Keys that hold secrets: never printed, never logged. */
export const secretKeys: ReadonlySet<ConfigKey> = new Set<ConfigKey>(['RelayProxyPassword', 'AdminToken']);

/** The defaults, as a complete configuration. */
export function defaultConfig(): GatewayConfig {
  return configSchema.parse({});
}
