import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_SEMI_SPACE_MIB } from '../src/cli/young-generation.ts';
import { useGatewayE2E } from './gateway-e2e.ts';
import { parseScrape } from './prometheus-text.ts';
import { closeSocket, echoes, openTlsTunnel } from './proxy-client.ts';

// `agent-gateway run` bounds V8's young generation by running itself again, as the same process, with
// --max-semi-space-size (see src/cli/young-generation.ts); an operator's own choice stands.

const HOST = 'agent.example.test';
const e2e = useGatewayE2E({ hosts: [HOST], args: ['--workers', '1'] });
const FLAG = `--max-semi-space-size=${GATEWAY_SEMI_SPACE_MIB}`;

/** The command line the kernel shows for a process: what V8 was started with. */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

/** Processes whose parent is `pid` (a primary's workers). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

describe('the young generation of agent-gateway run', () => {
  it('is bounded in the process that was started (same PID, same arguments, one flag more)', async () => {
    const { gateway } = e2e;
    const pid = gateway.child.pid as number;
    const args = commandLine(pid);
    expect(args.filter((arg) => arg === FLAG)).toHaveLength(1);
    // Everything the test passed is still there, in order, after the flag.
    expect(args.slice(args.indexOf(FLAG) + 1)).toEqual(gateway.child.spawnargs.slice(1));
    // It serves tunnels as ever, and its young generation stays within the two semi-spaces.
    for (let index = 0; index < 50; index += 1) {
      const session = await openTlsTunnel(gateway.port, `${HOST}:${e2e.target.port}`);
      expect(await echoes(session, 10_000)).toBe(true);
      await closeSocket(session);
    }
    const { samples } = parseScrape((await gateway.admin('/metrics')).body);
    expect(samples.get('nodejs_heap_space_size_total_bytes{space="new"}')).toBeLessThanOrEqual(
      2 * GATEWAY_SEMI_SPACE_MIB * 1024 * 1024,
    );
  });

  it("is left to the operator who sized it in NODE_OPTIONS, and workers inherit the gateway's own", async () => {
    const chosen = await e2e.startGateway({
      config: e2e.config,
      args: ['--workers', '1'],
      env: { NODE_OPTIONS: '--max-semi-space-size=8' },
    });
    expect(commandLine(chosen.child.pid as number)).not.toContain(FLAG);
    const { samples } = parseScrape((await chosen.admin('/metrics')).body);
    expect(samples.get('nodejs_heap_space_size_total_bytes{space="new"}')).toBeLessThanOrEqual(
      2 * 8 * 1024 * 1024,
    );
    await chosen.stop();

    const primary = await e2e.startGateway({ config: e2e.config, args: ['--workers', '2'] });
    const pid = primary.child.pid as number;
    expect(commandLine(pid)).toContain(FLAG);
    const workers = childrenOf(pid);
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(commandLine(worker)).toContain(FLAG);
    await primary.stop();
  });
});
