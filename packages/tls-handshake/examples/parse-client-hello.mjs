// Parses a real ClientHello recorded from curl (src/__fixtures__/curl-tls13.client.bin) and prints what the
// gateway sees of it: SNI, ALPN, versions, cipher suites, JA3 and JA4. Then it feeds the server's recorded
// answer to the same parser to show the negotiated version.
// Run from the repository root: npm start   (or: node packages/tls-handshake/examples/parse-client-hello.mjs)
import { readFileSync } from 'node:fs';
import { isGrease, ja3, ja4, TlsHandshakeParser, versionName } from '@agent-gateway/tls-handshake';

const fixtures = new URL('../src/__fixtures__/', import.meta.url);
const clientBytes = readFileSync(new URL('curl-tls13.client.bin', fixtures));
const serverBytes = readFileSync(new URL('curl-tls13.server.bin', fixtures));

// IANA names of the suites curl, OpenSSL and browsers commonly offer; others are shown by number only.
const suiteNames = {
  4865: 'TLS_AES_128_GCM_SHA256',
  4866: 'TLS_AES_256_GCM_SHA384',
  4867: 'TLS_CHACHA20_POLY1305_SHA256',
  49195: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  49196: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  49199: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  49200: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  52392: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  52393: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  52394: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  158: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  159: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  49187: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  49188: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  49191: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  49192: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  49161: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  49162: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  49171: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  49172: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  51: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  57: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  103: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
  107: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  156: 'TLS_RSA_WITH_AES_128_GCM_SHA256',
  157: 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  47: 'TLS_RSA_WITH_AES_128_CBC_SHA',
  53: 'TLS_RSA_WITH_AES_256_CBC_SHA',
  60: 'TLS_RSA_WITH_AES_128_CBC_SHA256',
  61: 'TLS_RSA_WITH_AES_256_CBC_SHA256',
  255: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
};
const hex = (value) => `0x${value.toString(16).padStart(4, '0')}`;

// The gateway feeds each TCP read as it arrives. The client's first read was its whole ClientHello; the
// fixture index knows the size of every recorded read.
const index = JSON.parse(readFileSync(new URL('fixtures.json', fixtures), 'utf8'));
const reads = index.fixtures.find((entry) => entry.name === 'curl-tls13').reads;
const [firstClientRead] = reads.find(([direction]) => direction === 'client').slice(1);
const [firstServerRead] = reads.find(([direction]) => direction === 'server').slice(1);

const parser = new TlsHandshakeParser();
const { events } = parser.pushClient(clientBytes.subarray(0, firstClientRead));
const event = events.find((candidate) => candidate.type === 'client-hello');
if (event === undefined) throw new Error(`no ClientHello parsed (status ${parser.status})`);
const hello = event.hello;

const versions = hello.supportedVersions ?? [];
console.log(`ClientHello from curl (${hello.length} bytes)`);
console.log(`  SNI                 ${hello.serverName ?? '(none)'}`);
console.log(`  ALPN                ${(hello.alpn ?? []).join(', ') || '(none)'}`);
console.log(`  legacy version      ${versionName(hello.legacyVersion)}`);
console.log(`  supported versions  ${versions.map(versionName).join(', ') || '(extension absent)'}`);
console.log(`  highest offered     ${versionName(hello.highestVersion)}`);
console.log(`  key shares          ${(hello.keyShares ?? []).map((share) => hex(share.group)).join(', ')}`);
console.log(`  GREASE / ECH        ${hello.grease ? 'yes' : 'no'} / ${hello.echOffered ? 'offered' : 'no'}`);
console.log(`  cipher suites (${hello.cipherSuites.length}):`);
for (const suite of hello.cipherSuites) {
  console.log(`    ${hex(suite)}  ${isGrease(suite) ? '(GREASE)' : (suiteNames[suite] ?? '')}`);
}
const { string, hash } = ja3(hello);
console.log(`  JA3                 ${hash}`);
console.log(`  JA3 string          ${string}`);
console.log(`  JA4                 ${ja4(hello)}`);

for (const next of parser.pushServer(serverBytes.subarray(0, firstServerRead)).events) {
  if (next.type === 'server-hello') {
    console.log(
      `ServerHello: ${versionName(next.hello.negotiatedVersion)}, cipher suite ${hex(next.hello.cipherSuite)} ${suiteNames[next.hello.cipherSuite] ?? ''}`,
    );
  } else if (next.type === 'tls13-encrypted-from-here') {
    console.log('TLS 1.3 from here on: the rest is encrypted, parsing ends.');
  }
}
