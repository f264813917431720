export { type Authority, parseAuthority } from './authority.ts';
export { classifyDialError } from './classify-error.ts';
export { type DialResult, dialDirect, dialRelay, systemResolver } from './dial.ts';
export { DialError, isDialError, TunnelError, type TunnelErrorCode, tunnelErrorCodes } from './errors.ts';
export { defaultTunnelLimits } from './limits.ts';
export {
  type CloseOptions,
  createTunnelServer,
  TunnelServer,
  type TunnelServerOptions,
} from './tunnel-server.ts';
export type {
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
  TunnelContext,
  TunnelHooks,
  TunnelInspector,
  TunnelLifecycleEvent,
  TunnelLimits,
  TunnelResult,
  Verdict,
} from './types.ts';
