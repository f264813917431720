// Records real TLS handshakes from real clients into src/__fixtures__/ (run: `npm run capture-fixtures`).
//
// A Node TLS server on 127.0.0.1 uses the shared test certificates; a recording TCP relay sits in front of it;
// curl, openssl s_client, Node's tls client and headless Chromium connect through the relay. Both directions
// of each session are saved as raw bytes, and fixtures.json says what each must parse to. The expected values
// come from what we asked the clients for and from the server's own view of the session (OpenSSL inside Node),
// never from this package's parser. Nothing leaves loopback: curl gets --resolve, Chromium a resolver rule.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import {
  certPath,
  chromiumPath,
  headlessChromiumFlags,
  type RecordedSession,
  startRecordingRelay,
  testCerts,
} from '@agent-gateway/test-support';

const fixturesDir = new URL('../src/__fixtures__/', import.meta.url);
mkdirSync(fixturesDir, { recursive: true });

interface ServerView {
  protocol: string | null;
  cipher: string;
  servername: string | null;
  clientCertificateSubject: Record<string, string> | null;
}

interface Scenario {
  name: string;
  description: string;
  client: string;
  server: {
    minVersion?: tls.SecureVersion;
    maxVersion?: tls.SecureVersion;
    requestCert?: boolean;
    ecdhCurve?: string;
  };
  /** argv of the client; `{port}` is replaced by the relay port. Empty for the in-process Node client. */
  command?: string[];
  stdin?: string;
  node?: tls.ConnectionOptions;
  /** What the fixture must parse to, known from the client's invocation. */
  expect: Record<string, unknown>;
  /** How long the client may take; Chromium is killed after it. */
  waitMs?: number;
  /**
   * Run this command first through the same relay and server (it is not the recorded session): e.g. a full
   * handshake that stores a session, so that the recorded one resumes it.
   */
  prime?: string[];
}

const request = 'GET / HTTP/1.1\r\nHost: agent.test\r\nConnection: close\r\n\r\n';

function scenarios(): Scenario[] {
  const clientCert = certPath('client-agent.crt');
  const clientKey = certPath('client-agent.key');
  const ca = certPath('ca.crt');
  return [
    {
      name: 'curl-tls13',
      description: 'curl 7.88 (OpenSSL 3.0), TLS 1.3, ALPN h2 + http/1.1',
      client: 'curl',
      server: {},
      command: [
        'curl',
        '-sS',
        '-o',
        '/dev/null',
        '--cacert',
        ca,
        '--resolve',
        'agent.test:{port}:127.0.0.1',
        'https://agent.test:{port}/',
      ],
      expect: {
        sni: 'agent.test',
        alpn: ['h2', 'http/1.1'],
        highestVersion: 0x0304,
        negotiatedVersion: 0x0304,
      },
    },
    {
      name: 'curl-tls12-client-cert',
      description: 'curl, TLS 1.2 at most, client certificate CN=agent-1,O=Contoso',
      client: 'curl',
      server: { maxVersion: 'TLSv1.2', requestCert: true },
      command: [
        'curl',
        '-sS',
        '-o',
        '/dev/null',
        '--tls-max',
        '1.2',
        '--cacert',
        ca,
        '--cert',
        clientCert,
        '--key',
        clientKey,
        '--resolve',
        'gw.example.test:{port}:127.0.0.1',
        'https://gw.example.test:{port}/',
      ],
      expect: {
        sni: 'gw.example.test',
        alpn: ['h2', 'http/1.1'],
        highestVersion: 0x0303,
        negotiatedVersion: 0x0303,
        clientCertificateSubject: 'CN=agent-1,O=Contoso',
        serverCertificateSubject: 'CN=localhost,O=agent-gateway tests',
      },
    },
    {
      name: 'openssl-tls13',
      description: 'openssl s_client -tls1_3',
      client: 'openssl',
      server: {},
      command: [
        'openssl',
        's_client',
        '-quiet',
        '-tls1_3',
        '-connect',
        '127.0.0.1:{port}',
        '-servername',
        'his.arc.test',
        '-CAfile',
        ca,
      ],
      stdin: request,
      expect: { sni: 'his.arc.test', alpn: null, highestVersion: 0x0304, negotiatedVersion: 0x0304 },
    },
    {
      name: 'openssl-tls12-client-cert',
      description: 'openssl s_client -tls1_2, ECDHE-ECDSA suite, client certificate CN=agent-1,O=Contoso',
      client: 'openssl',
      server: { requestCert: true },
      command: [
        'openssl',
        's_client',
        '-quiet',
        '-tls1_2',
        '-cipher',
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        '-connect',
        '127.0.0.1:{port}',
        '-servername',
        'agent.test',
        '-CAfile',
        ca,
        '-cert',
        clientCert,
        '-key',
        clientKey,
      ],
      stdin: request,
      expect: {
        sni: 'agent.test',
        alpn: null,
        highestVersion: 0x0303,
        negotiatedVersion: 0x0303,
        cipherSuite: 0xc02b,
        clientCertificateSubject: 'CN=agent-1,O=Contoso',
        serverCertificateSubject: 'CN=localhost,O=agent-gateway tests',
      },
    },
    {
      name: 'openssl-tls12-resumed',
      description:
        'openssl s_client -tls1_2 resuming a session that presented CN=agent-1,O=Contoso: abbreviated handshake, no certificates',
      client: 'openssl',
      server: { requestCert: true },
      prime: [
        'openssl',
        's_client',
        '-quiet',
        '-tls1_2',
        '-connect',
        '127.0.0.1:{port}',
        '-servername',
        'agent.test',
        '-CAfile',
        ca,
        '-cert',
        clientCert,
        '-key',
        clientKey,
        '-sess_out',
        '{session}',
      ],
      command: [
        'openssl',
        's_client',
        '-quiet',
        '-tls1_2',
        '-connect',
        '127.0.0.1:{port}',
        '-servername',
        'agent.test',
        '-CAfile',
        ca,
        '-cert',
        clientCert,
        '-key',
        clientKey,
        '-sess_in',
        '{session}',
      ],
      stdin: request,
      expect: {
        sni: 'agent.test',
        alpn: null,
        highestVersion: 0x0303,
        negotiatedVersion: 0x0303,
        resumed: true,
      },
    },
    {
      name: 'openssl-tls13-hrr',
      description:
        'openssl s_client -tls1_3 offering an X25519 key share to a server that only accepts P-256: HelloRetryRequest',
      client: 'openssl',
      server: { ecdhCurve: 'P-256' },
      command: [
        'openssl',
        's_client',
        '-quiet',
        '-tls1_3',
        '-groups',
        'X25519:P-256',
        '-connect',
        '127.0.0.1:{port}',
        '-servername',
        'retry.test',
        '-CAfile',
        ca,
      ],
      stdin: request,
      expect: {
        sni: 'retry.test',
        alpn: null,
        highestVersion: 0x0304,
        negotiatedVersion: 0x0304,
        helloRetryRequest: true,
        keyShareGroups: [0x001d],
        retryKeyShareGroups: [0x0017],
      },
    },
    {
      name: 'node-tls13',
      description: "Node's tls.connect, TLS 1.3, ALPN http/1.1",
      client: 'node',
      server: {},
      node: { servername: 'node.example.test', ALPNProtocols: ['http/1.1'], ca: testCerts.ca },
      expect: {
        sni: 'node.example.test',
        alpn: ['http/1.1'],
        highestVersion: 0x0304,
        negotiatedVersion: 0x0304,
      },
    },
    {
      name: 'node-tls12-client-cert',
      description: "Node's tls.connect, TLS 1.2, client certificate CN=intruder,O=Evil Corp",
      client: 'node',
      server: { maxVersion: 'TLSv1.2', requestCert: true },
      node: {
        servername: 'management.azure.com',
        maxVersion: 'TLSv1.2',
        ca: testCerts.ca,
        cert: testCerts.clientIntruder.cert,
        key: testCerts.clientIntruder.key,
      },
      expect: {
        sni: 'management.azure.com',
        alpn: null,
        highestVersion: 0x0303,
        negotiatedVersion: 0x0303,
        clientCertificateSubject: 'CN=intruder,O=Evil Corp',
        serverCertificateSubject: 'CN=localhost,O=agent-gateway tests',
      },
    },
    {
      name: 'chromium-mlkem',
      description:
        'headless Chromium 156: ~1.9 KB ClientHello with an X25519MLKEM768 key share, GREASE and GREASE ECH',
      client: 'chromium',
      server: {},
      command: [
        chromiumPath,
        '--headless',
        ...headlessChromiumFlags,
        '--disable-extensions',
        '--ignore-certificate-errors',
        '--user-data-dir={profile}',
        '--host-resolver-rules=MAP * 127.0.0.1',
        '--dump-dom',
        'https://browser.example.test:{port}/',
      ],
      expect: {
        sni: 'browser.example.test',
        alpn: ['h2', 'http/1.1'],
        highestVersion: 0x0304,
        negotiatedVersion: 0x0304,
        keyShareIncludes: 0x11ec,
        echOffered: true,
        grease: true,
      },
      waitMs: 20_000,
    },
  ];
}

async function startServer(scenario: Scenario, views: ServerView[]): Promise<tls.Server> {
  const server = tls.createServer(
    {
      ...testCerts.server,
      ca: testCerts.ca,
      minVersion: scenario.server.minVersion ?? 'TLSv1.2',
      maxVersion: scenario.server.maxVersion ?? 'TLSv1.3',
      requestCert: scenario.server.requestCert ?? false,
      rejectUnauthorized: false,
      ...(scenario.server.ecdhCurve === undefined ? {} : { ecdhCurve: scenario.server.ecdhCurve }),
    },
    (socket) => {
      const peer = socket.getPeerCertificate();
      views.push({
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().standardName,
        servername: typeof socket.servername === 'string' ? socket.servername : null,
        clientCertificateSubject:
          peer && Object.keys(peer).length > 0 ? (peer.subject as unknown as Record<string, string>) : null,
      });
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.end(
          'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n',
        );
      });
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function runCommand(argv: string[], stdin: string | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file!, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    if (stdin !== undefined) child.stdin.write(stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && process.env.CAPTURE_VERBOSE) console.error(`${file} exited ${code}: ${stderr}`);
      resolve();
    });
  });
}

function runNodeClient(port: number, options: tls.ConnectionOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ ...options, host: '127.0.0.1', port }, () => socket.write(request));
    socket.on('data', () => {});
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

async function capture(scenario: Scenario): Promise<Record<string, unknown>> {
  const views: ServerView[] = [];
  const server = await startServer(scenario, views);
  const { port: serverPort } = server.address() as { port: number };
  const relay = await startRecordingRelay({ host: '127.0.0.1', port: serverPort });
  const profile = mkdtempSync(join(tmpdir(), 'tls-handshake-chromium-'));
  try {
    if (scenario.client === 'node') {
      await runNodeClient(relay.port, scenario.node ?? {});
    } else {
      const expand = (argv: string[]) =>
        argv.map((arg) =>
          arg
            .replaceAll('{port}', String(relay.port))
            .replaceAll('{profile}', profile)
            .replaceAll('{session}', join(profile, 'tls-session.pem')),
        );
      if (scenario.prime !== undefined) await runCommand(expand(scenario.prime), scenario.stdin, 15_000);
      await runCommand(expand(scenario.command ?? []), scenario.stdin, scenario.waitMs ?? 15_000);
    }
    // Chromium may open extra connections; a primed scenario records the session after the priming one.
    const primed = scenario.prime === undefined ? 0 : 1;
    const session: RecordedSession | undefined = relay.sessions
      .slice(primed)
      .find((candidate) => candidate.clientBytes().length > 0 && candidate.serverBytes().length > 0);
    if (session === undefined || views.length <= primed)
      throw new Error(`${scenario.name}: no completed handshake was recorded`);
    await Promise.race([session.closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    const view = views[primed]!;
    if (view === undefined)
      throw new Error(`${scenario.name}: the server saw no handshake for the recorded session`);
    const client = session.clientBytes();
    const serverBytes = session.serverBytes();
    writeFileSync(new URL(`${scenario.name}.client.bin`, fixturesDir), client);
    writeFileSync(new URL(`${scenario.name}.server.bin`, fixturesDir), serverBytes);
    const subject = view.clientCertificateSubject;
    return {
      name: scenario.name,
      description: scenario.description,
      client: scenario.client,
      // Every TCP read in arrival order, [direction, bytes]: replaying them reproduces the session.
      reads: session.chunks.map((chunk) => [chunk.direction, chunk.bytes.length]),
      serverView: {
        protocol: view.protocol,
        cipher: view.cipher,
        servername: view.servername,
        clientCertificateSubject: subject === null ? null : `CN=${subject.CN},O=${subject.O}`,
      },
      expect: scenario.expect,
    };
  } finally {
    await relay.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(profile, { recursive: true, force: true });
  }
}

const only = process.argv.slice(2);
const indexFile = new URL('fixtures.json', fixturesDir);
// Re-capturing a subset keeps the other fixtures' entries.
const previous: Record<string, unknown>[] =
  only.length > 0 && existsSync(indexFile) ? JSON.parse(readFileSync(indexFile, 'utf8')).fixtures : [];
const results = previous.filter((entry) => !only.includes(entry.name as string));
for (const scenario of scenarios()) {
  if (only.length > 0 && !only.includes(scenario.name)) continue;
  process.stdout.write(`capturing ${scenario.name} ... `);
  const result = await capture(scenario);
  results.push(result);
  console.log(JSON.stringify(result.reads));
}
results.sort((a, b) => String(a.name).localeCompare(String(b.name)));
writeFileSync(
  indexFile,
  `${JSON.stringify({ generatedBy: 'scripts/capture-fixtures.ts', fixtures: results }, null, 2)}\n`,
);
