export {
  type Endpoint,
  formatEndpoint,
  type OpenConnection,
  type OpenOptions,
  openConnection,
  parseEndpoint,
  readExactly,
  sourceAddresses,
} from './client.ts';
export { type Flood, type FloodOptions, type FloodStats, openFlood } from './flood.ts';
export {
  evenSplit,
  type PlannedLoadgen,
  planTunnels,
  type TunnelPlan,
  type TunnelPlanOptions,
  workersFor,
} from './plan.ts';
export { type ProbeOptions, type ProbeResult, runProbes } from './probe.ts';
export {
  type BulkResult,
  type IdleTunnels,
  openIdle,
  type RoundTripResult,
  type Route,
  runBulk,
  runRoundTrips,
  runSetups,
  type SetupsResult,
} from './scenarios.ts';
export {
  attemptErrorKind,
  attemptTunnel,
  reconnectStorm,
  type StormCut,
  type StormOptions,
  type StormResult,
} from './storm.ts';
export { startTarget, type Target, targetModes } from './target.ts';
export {
  clientRandom,
  loadTlsGreeting,
  loadTlsGreetings,
  shuffleExtensions,
  TLS_HANDSHAKE_RECORD,
  type TlsGreeting,
} from './tls-greeting.ts';
