import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRecordedHellos } from './fuzz/client-hello-bytes.ts';
import {
  addReport,
  type BatchReport,
  emptyReport,
  type FuzzEnvironment,
  type FuzzGateway,
  runBatch,
} from './fuzz/fuzz-batch.ts';
import { everySplit, fuzzCase, greetingCase } from './fuzz/fuzz-cases.ts';
import { startFuzzPeers } from './fuzz/fuzz-peers.ts';
import { dialTargets, fuzzGatewayConfig, fuzzWorld } from './fuzz/fuzz-world.ts';
import { useE2EScope } from './gateway-e2e.ts';
import type { GatewayProcess } from './gateway-process.ts';

// Socket-level fuzzing of the real gateway process (issue 13, item 5): fast-check generates request heads,
// PROXY headers and edited TLS ClientHellos, sends them in random chunks over real sockets, and every batch
// is judged by four properties: the gateway neither crashes nor hangs, never tunnels to what the policy
// refuses (decoys listen wherever a refused form could lead), closes every connection within its timeouts,
// and counts every connection exactly once. `node bench/fuzz-gateway.ts` runs the same for 100,000 cases.

const scope = useE2EScope();
let env: FuzzEnvironment;

function fuzzGateway(gateway: GatewayProcess): FuzzGateway {
  return {
    port: gateway.port,
    adminPort: gateway.adminPort,
    exitStatus: () =>
      gateway.exit === undefined ? undefined : `${JSON.stringify(gateway.exit)}\n${gateway.log()}`,
    admin: (pathname) => gateway.admin(pathname),
  };
}

beforeAll(async () => {
  const hellos = loadRecordedHellos();
  const peers = await startFuzzPeers(dialTargets(hellos));
  scope.defer(() => peers.close());
  const world = fuzzWorld({
    targetPort: peers.targetPort,
    decoyPort: peers.decoyPort,
    hellos,
    timeouts: { headerMs: 500, tlsHandshakeMs: 700, idleMs: 700, refusalLingerMs: 1000, slackMs: 1000 },
    maxHeaderBytes: 4096,
  });
  const start = (proxyProtocol: boolean) =>
    scope.startGateway({ config: fuzzGatewayConfig(world, proxyProtocol), args: ['--workers', '1'] });
  const [plain, proxy] = await Promise.all([start(false), start(true)]);
  env = { world, peers, gateways: { plain: fuzzGateway(plain), proxy: fuzzGateway(proxy) } };
});

/** Every violation of the four properties in a report, one line each (empty when the batch passed). */
function violations(report: BatchReport): string[] {
  return [
    ...report.crashes.map((line) => `crash: ${line}`),
    ...report.escapes.map((line) => `policy escape: ${line}`),
    ...report.outlived.map((line) => `outlived its timeouts: ${line}`),
    ...report.counterMismatches.map((line) => `counters: ${line}`),
  ];
}

describe('the gateway under socket-level fuzzing', () => {
  it('fuzzed heads, PROXY headers and TLS greetings: no crash, no escape, no connection past its timeouts, counters that add up', async () => {
    let total = emptyReport();
    await fc.assert(
      // Big batches: a batch lasts as long as its slowest case (a client that waits out a refusal's linger).
      fc.asyncProperty(
        fc.array(fuzzCase(env.world), { minLength: 80, maxLength: 120, size: 'max' }),
        async (cases) => {
          const report = await runBatch(env, cases, 96);
          total = addReport(total, report);
          expect(violations(report)).toEqual([]);
        },
      ),
      { numRuns: 4, interruptAfterTimeLimit: 45_000, markInterruptAsFailure: true },
    );
    // The generators reach every outcome: otherwise the properties would hold for want of trying.
    expect(total.statuses).toMatchObject({
      200: expect.any(Number),
      400: expect.any(Number),
      403: expect.any(Number),
      none: expect.any(Number),
    });
    for (const counted of ['verified', 'refused', 'failed', 'event 104', 'event 106', 'event 402'])
      expect(total.counted[counted], counted).toBeGreaterThan(0);
    console.log(
      `fuzz: ${total.cases} cases in ${Math.round(total.durationMs)} ms; answers ${JSON.stringify(total.statuses)}; counted ${JSON.stringify(total.counted)}`,
    );
  }, 60_000);

  it('regressions the fuzzer found', async () => {
    const hello = (name: string) => {
      const found = env.world.hellos.find((entry) => entry.name === name);
      if (found === undefined) throw new Error(`no fixture ${name}`);
      return found;
    };
    const cases = [
      // supported_versions that lists no TLS version (only GREASE, a draft, DTLS): the hello offers none, but
      // it passed the TLS 1.2 floor on its legacy_version and reached the target.
      greetingCase(env.world, hello('curl-tls13'), [{ kind: 'supported-versions', versions: [0x0a0a] }]),
      greetingCase(env.world, hello('openssl-tls13'), [{ kind: 'supported-versions', versions: [0x7f1c] }]),
      greetingCase(env.world, hello('chromium-mlkem'), [{ kind: 'supported-versions', versions: [0xfefd] }]),
    ];
    const report = await runBatch(env, cases, 8);
    expect(violations(report)).toEqual([]);
    expect(report.counted['event 106']).toBe(cases.length);
  }, 30_000);

  it('verifies a recorded ClientHello split at every offset, each time', async () => {
    const hello = env.world.hellos.find((entry) => entry.name === 'openssl-tls13');
    if (hello === undefined) throw new Error('no openssl-tls13 fixture');
    const cases = everySplit(env.world, hello);
    const report = await runBatch(env, cases, 48);
    expect(violations(report)).toEqual([]);
    expect(report.counted.verified).toBe(cases.length);
    expect(report.targetAnswered).toBe(cases.length);
  }, 30_000);
});
