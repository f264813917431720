export { createNodeEventLog } from './create-node-event-log.ts';
export { FileSink, type FileSinkOptions, fileSink } from './file-sink.ts';
export { type JsonLinesSinkOptions, jsonLinesSink } from './json-lines-sink.ts';
export { reportSinkHealth } from './report-sink-health.ts';
export {
  formatRfc5424,
  type Rfc5424Options,
  SYSLOG_FACILITIES,
  SYSLOG_SEVERITY,
  type SyslogFacility,
} from './rfc5424.ts';
export { DEFAULT_MAX_BUFFERED_BYTES, SINK_RETRY_MS, type SinkHealthChange, SonicSink } from './sonic-sink.ts';
export { SyslogUdpSink, type SyslogUdpSinkOptions, syslogUdpSink } from './syslog-udp-sink.ts';
export { SyslogUnixSink, type SyslogUnixSinkOptions, syslogUnixSink } from './syslog-unix-sink.ts';
