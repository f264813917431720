// Runs under the oldest supported Node (tools/node-compat) against the built package: both entry points,
// a German message, redaction, the ring, a syslog datagram received on loopback, and other languages.
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { createEventLog, createRecentEvents, EVENT_IDS, LANGUAGES } from '@agent-gateway/events';
import { formatRfc5424, syslogUdpSink } from '@agent-gateway/events/node';

if (EVENT_IDS.length !== 18) throw new Error(`catalog has ${EVENT_IDS.length} IDs`);

const receiver = dgram.createSocket('udp4');
receiver.bind(0, '127.0.0.1');
await once(receiver, 'listening');
const received = once(receiver, 'message');

const recent = createRecentEvents();
const sink = syslogUdpSink({ port: receiver.address().port });
const events = createEventLog({ language: 'de', sinks: [recent, sink], secrets: ['pw-123456'] });
events.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443', reason: 'host-not-allowed' });
events.emit(403, {
  target: 'a.example:443',
  via: 'relay',
  relay: 'http://u:pw-123456@relay:3128',
  error: 'x',
});

const [message] = await received;
const line = message.toString('utf8');
if (!line.startsWith('<28>1 ') || !line.includes('CONNECT zu evil.example:443 abgelehnt'))
  throw new Error(line);
if (JSON.stringify(recent.list()).includes('pw-123456')) throw new Error('secret leaked');
if (formatRfc5424(recent.list()[0]).length < 50) throw new Error('formatRfc5424');
await events.close();
receiver.close();

// Messages as data on the oldest Node: Polish plural forms, and durations without Intl.DurationFormat.
const limit = LANGUAGES.pl.messages[109]({ client: 'c', limit: 'max-tunnels', max: 5 });
if (!limit.endsWith('limit tuneli bramy wynoszący 5 tuneli')) throw new Error(limit);
const outage = LANGUAGES.de.messages[111]({ staleServed: 2, outageMs: 150_000 });
if (!/^DNS antwortet wieder nach (150 Sek\.|2 Min\., 30 Sek\.);/.test(outage)) throw new Error(outage);
console.log('ok');
