export { type Authority, parseAuthority } from './authority.ts';
export { classifyDialError } from './classify-error.ts';
export { type DialResult, dialDirect, dialRelay, dialTarget, ipFamily, systemResolver } from './dial.ts';
export { DnsCache, type DnsCacheStats } from './dns-cache.ts';
export {
  type DnsCacheCounters,
  type DnsCacheEvent,
  type DnsCacheOptions,
  type DnsTtlBounds,
  defaultDnsCacheOptions,
} from './dns-cache-options.ts';
export { DnsLookupError } from './dns-lookup-error.ts';
export { type DnsServerAddress, parseDnsServer } from './dns-server-address.ts';
export {
  DialError,
  isDialError,
  isProxyHeaderError,
  ProxyHeaderError,
  type ProxyHeaderProblem,
  TunnelError,
  type TunnelErrorCode,
  tunnelErrorCodes,
} from './errors.ts';
export { defaultTunnelLimits } from './limits.ts';
export {
  PROXY_V1_MAX_BYTES,
  PROXY_V2_MAX_BYTES,
  type ProxyEndpoint,
  type ProxyHeader,
  ProxyHeaderParser,
  type ProxyHeaderParserOptions,
  type ProxyHeaderResult,
  type ProxyHeaderWithAddresses,
  type ProxyHeaderWithoutAddresses,
  parseProxyHeader,
} from './proxy-protocol.ts';
export { type ProxyProtocolReaderOptions, proxyProtocolReader } from './proxy-protocol-reader.ts';
export {
  headerPairs,
  type RequestHead,
  type RequestHeadErrorCode,
  RequestHeadParser,
  type RequestHeadResult,
} from './request-head.ts';
export {
  type CloseOptions,
  createTunnelServer,
  TunnelServer,
  type TunnelServerOptions,
} from './tunnel-server.ts';
export type {
  Admission,
  ConnectRequest,
  Decision,
  DialFailureKind,
  DialTarget,
  DirectDial,
  IncomingConnection,
  PreambleReader,
  ProxiedSource,
  RefusalKind,
  RelayDial,
  Resolver,
  ShedReason,
  TunnelContext,
  TunnelHooks,
  TunnelInspector,
  TunnelLifecycleEvent,
  TunnelLimits,
  TunnelResult,
  Verdict,
} from './types.ts';
