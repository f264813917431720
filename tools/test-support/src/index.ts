export { certPath, certsDir, testCerts } from './certs.ts';
export { chromiumPath, headlessChromiumFlags } from './chromium.ts';
export {
  type DnsmasqOptions,
  type DnsRecords,
  dnsmasqPath,
  type RunningDnsmasq,
  startDnsmasq,
} from './dnsmasq.ts';
export { openFileDescriptorCount, waitForFileDescriptors } from './fds.ts';
export { freePort, haproxyPath, type RunningHaproxy, startHaproxy } from './haproxy.ts';
export { installLoopbackGuard, isLoopbackAddress, LoopbackGuardError } from './loopback-guard.ts';
export {
  type RecordedChunk,
  type RecordedSession,
  type RecordingRelay,
  startRecordingRelay,
} from './recording-relay.ts';
export { type LocalTlsServer, type LocalTlsServerOptions, startTlsServer } from './tls-server.ts';
export { isRoot, mountSmallDisk, type SmallDisk } from './tmpfs.ts';
