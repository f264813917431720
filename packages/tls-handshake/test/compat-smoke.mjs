// Run by tools/node-compat under the oldest Node the package declares: the built package must parse a real
// recorded handshake, compute JA3/JA4 (noble hashes), and read a DER certificate there. Prints "ok".
import { readFileSync } from 'node:fs';
import { ja3, ja4, parseClientHello, TlsHandshakeParser } from '@agent-gateway/tls-handshake';

const fixtures = new URL('../src/__fixtures__/', import.meta.url);
const fail = (message) => {
  console.error(`compat smoke failed: ${message}`);
  process.exit(1);
};

const curl = readFileSync(new URL('curl-tls13.client.bin', fixtures));
const hello = parseClientHello(curl);
if (hello.serverName !== 'agent.test') fail(`SNI ${hello.serverName}`);
if (!/^[0-9a-f]{32}$/.test(ja3(hello).hash)) fail('JA3');
if (!/^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/.test(ja4(hello))) fail(`JA4 ${ja4(hello)}`);

const parser = new TlsHandshakeParser();
const subjects = [];
const index = JSON.parse(readFileSync(new URL('fixtures.json', fixtures), 'utf8'));
const entry = index.fixtures.find((candidate) => candidate.name === 'openssl-tls12-client-cert');
const client = readFileSync(new URL(`${entry.name}.client.bin`, fixtures));
const server = readFileSync(new URL(`${entry.name}.server.bin`, fixtures));
const offsets = { client: 0, server: 0 };
for (const [direction, length] of entry.reads) {
  const source = direction === 'client' ? client : server;
  const chunk = source.subarray(offsets[direction], offsets[direction] + length);
  offsets[direction] += length;
  const { events } = direction === 'client' ? parser.pushClient(chunk) : parser.pushServer(chunk);
  for (const event of events) if (event.type === 'certificate') subjects.push(event.certificates[0]?.subject);
}
if (parser.status !== 'done') fail(`status ${parser.status}`);
if (subjects.at(-1) !== 'CN=agent-1,O=Contoso') fail(`client subject ${subjects.at(-1)}`);
console.log('ok');
