import { arcEndpoints, type Cloud, codeForNetworkFailure, type Lang } from '@agent-gateway/azcm-codes';
import { classifyFailure, classifyProxyAnswer } from './classify-failure.ts';
import { connectThroughProxy } from './connect-probe.ts';
import { applyConnectTo, type ConnectToEntry } from './curl-seams.ts';
import type { NameResolver } from './name-resolution.ts';
import { redactProxyUrl } from './proxy-route.ts';
import { runPool } from './run-pool.ts';

/** Options of {@link runGateway}. */
export interface GatewayOptions {
  proxy: URL;
  cloud: Cloud;
  location?: string | undefined;
  connectTo: readonly ConnectToEntry[];
  resolver: NameResolver;
  ca: string[];
  timeoutMs: number;
  parallel: number;
  lang: Lang;
  userAgent: string;
  onProgress?: (done: number, total: number, host: string) => void;
}

/**
 * What the proxy did with one endpoint's CONNECT: `allowed` (200), `refused` (403 or another 4xx),
 * `auth-required` (407), `unreachable` (the proxy allowed it but could not reach the target, 5xx), or
 * `error` (the proxy itself could not be reached or answered garbage).
 */
export type GatewayVerdict = 'allowed' | 'refused' | 'auth-required' | 'unreachable' | 'error';

/** The proxy's decision for one catalog endpoint. */
export interface GatewayEndpoint {
  host: string;
  port: number;
  purpose: string;
  required: boolean;
  /** The host sent in CONNECT (a representative or probe name for wildcard entries). */
  probedHost: string;
  verdict: GatewayVerdict;
  status?: number;
  evidence: string;
  ms: number;
  /** The AZCM code an agent behind this proxy would report, and the fix. */
  code?: string;
  fix?: string;
}

/** Everything `gateway` found, with the allowlist lines that fix the refusals. */
export interface GatewayReport {
  proxy: string;
  cloud: Cloud;
  location?: string;
  endpoints: GatewayEndpoint[];
  /**
   * `agent-gateway allowed-host add HOST` for every refused endpoint every agent needs (wildcard patterns for
   * wildcard entries; hosts a listed wildcard already covers are left out).
   */
  fixCommands: string[];
  /** The same for refused optional endpoints (install-time downloads, Windows Admin Center, ESU, ...). */
  optionalFixCommands: string[];
  /** Refused endpoints on ports other than 443: agent-gateway allows only `AllowedPorts` and tunnels TLS. */
  otherPorts: string[];
  summary: { allowed: number; refused: number; other: number };
}

/** First label of the made-up names used for wildcard entries without a representative host. */
export const probePrefix = 'azcm-diagnose-probe';

/**
 * The host to put in CONNECT for a catalog entry: the host itself, or for a wildcard entry a made-up name
 * below it (the proxy's policy decides on the name before it tries to reach it, so this tests exactly the
 * wildcard rule an agent needs).
 */
export function probeHostFor(pattern: string): string {
  if (!pattern.includes('*')) return pattern;
  // `azgn*.servicebus.windows.net` becomes `azgnazcm-diagnose-probe.servicebus.windows.net`.
  return pattern.replace('*', probePrefix);
}

/**
 * The allowlist form of a catalog host. agent-gateway matches `*.suffix` (any depth below the suffix) and
 * `prefix*.suffix` (one label starting with the prefix, the form Microsoft documents for
 * `azgn*.servicebus.windows.net`), so both stay as they are: widening `azgn*.` to `*.servicebus.windows.net`
 * would let every Service Bus namespace through. A wildcard anywhere else becomes `*.suffix`.
 */
export function allowlistForm(host: string): string {
  if (!host.includes('*') || host.startsWith('*.')) return host;
  const dot = host.indexOf('.');
  const first = host.slice(0, dot);
  if (dot > 0 && first.indexOf('*') === first.length - 1 && first.length > 1) return host;
  return `*.${host.slice(dot + 1)}`;
}

/** True when allowlist pattern `pattern` (a `*.suffix` or `prefix*.suffix` form) takes in `host`. */
function covers(pattern: string, host: string): boolean {
  if (pattern === host || !pattern.includes('*')) return false;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  // `azgn*.servicebus.windows.net` covers concrete names one label below the suffix that start with azgn.
  const dot = pattern.indexOf('.');
  const prefix = pattern.slice(0, dot - 1);
  const suffix = pattern.slice(dot);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, -suffix.length);
  return !label.includes('.') && label.startsWith(prefix) && label.length > prefix.length;
}

function coveredBy(host: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => covers(pattern, host));
}

/**
 * The allowlist entries for refused hosts: in allowlist form, without duplicates, without hosts a wildcard
 * in the list (or in `already`) covers.
 */
export function allowlistEntries(hosts: readonly string[], already: readonly string[] = []): string[] {
  const forms = [...new Set(hosts.map(allowlistForm))].filter((host) => !already.includes(host));
  const patterns = [...forms, ...already];
  return forms.filter((host) => !coveredBy(host, patterns));
}

/**
 * Asks a proxy (an agent-gateway or any CONNECT proxy) for a tunnel to every Arc endpoint and reports which
 * it lets through, plus the `agent-gateway allowed-host add` lines for those it refuses.
 *
 * @example
 * ```ts
 * const report = await runGateway({ proxy: new URL('http://gw:8080'), cloud: 'AzureCloud', connectTo: [],
 *   resolver: new NameResolver(), ca: [], timeoutMs: 5000, parallel: 8, lang: 'en', userAgent: 'azcm-diagnose' });
 * console.log(report.fixCommands.join('\n'));
 * ```
 */
export async function runGateway(options: GatewayOptions): Promise<GatewayReport> {
  const catalog = arcEndpoints(options.cloud, options.location);
  const endpoints = await runPool(
    catalog,
    options.parallel,
    async (endpoint): Promise<GatewayEndpoint> => {
      const probedHost = probeHostFor(endpoint.host);
      const target = applyConnectTo(options.connectTo, probedHost, endpoint.port);
      const base = {
        host: endpoint.host,
        port: endpoint.port,
        purpose: endpoint.purpose[options.lang],
        required: endpoint.required,
        probedHost,
      };
      const withCode = (kind: Parameters<typeof codeForNetworkFailure>[0]) => {
        const { code, fix } = codeForNetworkFailure(kind);
        return { code: code.code, fix: fix[options.lang] };
      };
      const started = performance.now();
      try {
        const answer = await connectThroughProxy(options.proxy, target.host, target.port, options);
        const ms = Math.round(answer.ms);
        const evidence = `${answer.status} ${answer.reason}`.trim();
        // The table already says it was the CONNECT answer.
        const shortEvidence = (text: string) => text.replace(/^proxy answered CONNECT with /, '');
        if (answer.status === 200) return { ...base, verdict: 'allowed', status: 200, evidence, ms };
        const failure = classifyProxyAnswer(answer.status, answer.reason, answer.headers);
        const verdict: GatewayVerdict =
          answer.status === 407
            ? 'auth-required'
            : failure.kind === 'proxy-refused-host'
              ? 'refused'
              : 'unreachable';
        // A made-up name below a wildcard cannot be reached; what counts is that the policy let it pass.
        if (verdict === 'unreachable' && probedHost.includes(probePrefix))
          return {
            ...base,
            verdict: 'allowed',
            status: answer.status,
            evidence: `${shortEvidence(failure.evidence)}; policy allowed the name`,
            ms,
          };
        return {
          ...base,
          verdict,
          status: answer.status,
          evidence: shortEvidence(failure.evidence),
          ms,
          ...withCode(failure.kind),
        };
      } catch (error) {
        const failure = classifyFailure(error, 'proxy', true);
        return {
          ...base,
          verdict: 'error',
          evidence: failure.evidence,
          ms: Math.round(performance.now() - started),
          ...withCode(failure.kind),
        };
      }
    },
    (done, endpoint) => options.onProgress?.(done, catalog.length, endpoint.host),
  );
  const refused = endpoints.filter((e) => e.verdict === 'refused');
  const required = allowlistEntries(refused.filter((e) => e.required).map((e) => e.host));
  const optional = allowlistEntries(
    refused.filter((e) => !e.required).map((e) => e.host),
    required,
  );
  return {
    proxy: redactProxyUrl(options.proxy),
    cloud: options.cloud,
    ...(options.location !== undefined ? { location: options.location } : {}),
    endpoints,
    fixCommands: required.map((host) => `agent-gateway allowed-host add ${host}`),
    optionalFixCommands: optional.map((host) => `agent-gateway allowed-host add ${host}`),
    otherPorts: [...new Set(refused.filter((e) => e.port !== 443).map((e) => `${e.host}:${e.port}`))],
    summary: {
      allowed: endpoints.filter((e) => e.verdict === 'allowed').length,
      refused: refused.length,
      other: endpoints.filter((e) => e.verdict !== 'allowed' && e.verdict !== 'refused').length,
    },
  };
}
