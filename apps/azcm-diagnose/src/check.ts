import {
  type ArcEndpoint,
  arcEndpoints,
  type Cloud,
  codeForNetworkFailure,
  type Lang,
  type NetworkFailureKind,
} from '@agent-gateway/azcm-codes';
import { applyConnectTo, type ConnectToEntry } from './curl-seams.ts';
import { planEndpoints } from './endpoint-plan.ts';
import { usageError } from './errors.ts';
import type { NameResolver } from './name-resolution.ts';
import { type ProbeContext, probeDirect } from './probe-direct.ts';
import { probeProxied } from './probe-proxied.ts';
import type { Phase, ProbeResult, TlsFacts } from './probe-types.ts';
import { type ProxySettings, redactProxyUrl, routeFor } from './proxy-route.ts';
import { runPool } from './run-pool.ts';

/** Options of {@link runCheck}. */
export interface CheckOptions {
  cloud: Cloud;
  location?: string | undefined;
  proxy: ProxySettings;
  connectTo: readonly ConnectToEntry[];
  resolver: NameResolver;
  /** Trusted CA certificates in PEM. */
  ca: string[];
  timeoutMs: number;
  parallel: number;
  lang: Lang;
  userAgent: string;
  /** Only these catalog hosts (as listed, wildcards included); all when undefined. */
  only?: readonly string[] | undefined;
  onProgress?: (done: number, total: number, host: string) => void;
}

/** A failure with the AZCM code it amounts to and what to do. */
export interface ClassifiedFailure {
  kind: NetworkFailureKind;
  phase: Phase['name'];
  evidence: string;
  code: string;
  fix: string;
}

/** The outcome for one catalog endpoint. */
export interface EndpointCheck {
  /** The catalog host (possibly a wildcard pattern). */
  host: string;
  port: number;
  purpose: string;
  required: boolean;
  privateLink: boolean;
  wildcard: boolean;
  regional: boolean;
  /** `ok`, `failed`, `not-checkable` (a wildcard without a representative), `covered` (checked as another entry). */
  status: 'ok' | 'failed' | 'not-checkable' | 'covered';
  /** The concrete host that was checked (differs from `host` for wildcards). */
  checkedHost?: string;
  coveredBy?: string;
  /** `direct`, or the proxy URL without its password. */
  route?: string;
  /** Where the connection really went after `--connect-to`, when that differs. */
  connectedTo?: string;
  phases?: Phase[];
  tls?: TlsFacts;
  httpStatus?: number;
  proxyStatus?: number;
  totalMs?: number;
  failure?: ClassifiedFailure;
}

/** Everything `check` found. */
export interface CheckReport {
  cloud: Cloud;
  location?: string;
  endpoints: EndpointCheck[];
  summary: { ok: number; failed: number; notCheckable: number; requiredFailed: number };
}

function describeEndpoint(endpoint: ArcEndpoint, lang: Lang) {
  return {
    host: endpoint.host,
    port: endpoint.port,
    purpose: endpoint.purpose[lang],
    required: endpoint.required,
    privateLink: endpoint.privateLink,
    wildcard: endpoint.wildcard,
    regional: endpoint.regional,
  };
}

function classify(result: ProbeResult, lang: Lang): ClassifiedFailure | undefined {
  if (result.failure === undefined) return undefined;
  const { code, fix } = codeForNetworkFailure(result.failure.kind);
  return { ...result.failure, code: code.code, fix: fix[lang] };
}

/**
 * Checks every endpoint the agent needs for a cloud and region: DNS, TCP, TLS and `GET /` directly, or the
 * CONNECT answer, TLS and `GET /` through the proxy that `--proxy`/`HTTPS_PROXY`/`NO_PROXY` select.
 * Endpoints run in parallel (at most `parallel` at once), each within `timeoutMs`.
 *
 * @example
 * ```ts
 * const report = await runCheck({ cloud: 'AzureCloud', location: 'westeurope', proxy: {}, connectTo: [],
 *   resolver: new NameResolver(), ca: trustedCertificates(), timeoutMs: 10_000, parallel: 8, lang: 'en',
 *   userAgent: 'azcm-diagnose' });
 * ```
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const only = options.only?.map((host) => host.toLowerCase());
  const all = arcEndpoints(options.cloud, options.location);
  const unknown = only?.filter((host) => !all.some((e) => e.host.toLowerCase() === host)) ?? [];
  if (unknown.length > 0) {
    const where = `${options.cloud}${options.location ? ` in ${options.location}` : ''}`;
    throw usageError(`--only ${unknown.join(', ')}: not an endpoint of ${where}`);
  }
  const catalog = all.filter((endpoint) => only === undefined || only.includes(endpoint.host.toLowerCase()));
  const plan = planEndpoints(catalog);
  const context: ProbeContext = {
    resolver: options.resolver,
    ca: options.ca,
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent,
  };
  const endpoints = await runPool(
    plan,
    options.parallel,
    async (planned): Promise<EndpointCheck> => {
      const base = describeEndpoint(planned.endpoint, options.lang);
      if (planned.checkHost === undefined) {
        return planned.coveredBy !== undefined
          ? { ...base, status: 'covered', coveredBy: planned.coveredBy }
          : { ...base, status: 'not-checkable' };
      }
      const host = planned.checkHost;
      const port = planned.endpoint.port;
      const target = applyConnectTo(options.connectTo, host, port);
      const route = routeFor(host, port, options.proxy);
      const probeTarget = {
        host,
        port,
        connectHost: target.host,
        connectPort: target.port,
        tls: port !== 80,
      };
      const result =
        route.kind === 'proxy'
          ? await probeProxied(probeTarget, route.url, context)
          : await probeDirect(probeTarget, context);
      const failure = classify(result, options.lang);
      return {
        ...base,
        status: failure === undefined ? 'ok' : 'failed',
        checkedHost: host,
        route: route.kind === 'proxy' ? redactProxyUrl(route.url) : 'direct',
        ...(target.rule !== undefined ? { connectedTo: `${target.host}:${target.port}` } : {}),
        phases: result.phases,
        ...(result.tls !== undefined ? { tls: result.tls } : {}),
        ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
        ...(result.proxyStatus !== undefined ? { proxyStatus: result.proxyStatus } : {}),
        totalMs: Math.round(result.totalMs),
        ...(failure !== undefined ? { failure } : {}),
      };
    },
    (done, planned) => options.onProgress?.(done, plan.length, planned.checkHost ?? planned.endpoint.host),
  );
  const failed = endpoints.filter((e) => e.status === 'failed');
  return {
    cloud: options.cloud,
    ...(options.location !== undefined ? { location: options.location } : {}),
    endpoints,
    summary: {
      ok: endpoints.filter((e) => e.status === 'ok').length,
      failed: failed.length,
      notCheckable: endpoints.filter((e) => e.status === 'not-checkable').length,
      requiredFailed: failed.filter((e) => e.required).length,
    },
  };
}
