import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  type LocalTlsServer,
  openFileDescriptorCount,
  type RunningHaproxy,
  startHaproxy,
  startTlsServer,
  waitForFileDescriptors,
} from '@agent-gateway/test-support';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  childProcessIds,
  freePort,
  type GatewayProcess,
  type GatewayProcessOptions,
  makeTempDir,
  startGatewayProcess,
  writeJson,
} from './gateway-process.ts';

/** The content of a gateway's configuration file. */
export type GatewayConfig = Record<string, unknown>;

/** What {@link useE2EScope} gives a test file. */
export interface E2EScope {
  /** Runs `step` in `afterAll`, before everything registered earlier (last in, first out). */
  defer(step: () => unknown): void;
  /** A new temporary directory, removed in `afterAll`. */
  tempDir(): Promise<string>;
  /** Starts another gateway process; `afterAll` stops it if the test has not. */
  startGateway(options: GatewayProcessOptions): Promise<GatewayProcess>;
}

/**
 * Registers the `beforeAll`/`afterAll` pair of a test file that starts processes and sockets. Before anything
 * starts it records the file's open descriptors and child processes; at the end it runs the deferred steps in
 * reverse order and then expects both back where they were: no socket, gateway or peer left behind.
 */
export function useE2EScope(): E2EScope {
  const steps: Array<() => unknown> = [];
  let descriptors = 0;
  let children: number[] = [];
  beforeAll(() => {
    descriptors = openFileDescriptorCount();
    children = childProcessIds();
  });
  afterAll(async () => {
    for (const step of steps.splice(0).reverse()) await step();
    expect(await waitForFileDescriptors(descriptors, 5000)).toBeLessThanOrEqual(descriptors);
    expect(childProcessIds()).toEqual(children);
  });
  const defer = (step: () => unknown) => {
    steps.push(step);
  };
  return {
    defer,
    async tempDir() {
      const dir = await makeTempDir();
      defer(() => fs.rm(dir, { recursive: true, force: true }));
      return dir;
    },
    async startGateway(options) {
      const gateway = await startGatewayProcess(options);
      defer(() => gateway.stop());
      return gateway;
    },
  };
}

/** Options of {@link useGatewayE2E}. */
export interface GatewayE2EOptions {
  /** Names that resolve to 127.0.0.1 (`HostOverrides`); also the `AllowedHosts` unless `config` sets them. */
  hosts: string[];
  /**
   * Settings over the defaults (no presets, `hosts`, loopback destinations, the target's port). A function
   * is called once the target runs; it may start further peers whose ports the configuration names, and
   * register their cleanup with `defer`.
   */
  config?: GatewayConfig | ((e2e: GatewayE2E) => GatewayConfig | Promise<GatewayConfig>);
  /** Arguments after `run --config FILE`, e.g. `['--workers', '2']`. */
  args?: string[];
  /** How many gateways with this configuration to start, side by side (default 1). */
  gateways?: number;
  /** An HAProxy configuration in front of the gateways (see `startHaproxy`); it starts last and stops first. */
  haproxy?: (e2e: GatewayE2E) => string | Promise<string>;
}

/** A gateway whose configuration file is a symlink into a folder it does not watch. */
export interface LinkedGateway {
  gateway: GatewayProcess;
  /** The real file: the gateway sees an edit of it only on SIGHUP. */
  file: string;
  /** What `file` holds: the fixture's configuration with this gateway's ports. */
  config: GatewayConfig;
}

/** What {@link useGatewayE2E} gives a test file; the getters throw until its `beforeAll` has started them. */
export interface GatewayE2E extends E2EScope {
  /** The echoing TLS server every host name leads to (the shared test certificate). */
  readonly target: LocalTlsServer;
  /** The configuration the gateways were started with (without their listen ports). */
  readonly config: GatewayConfig;
  /** The (first) gateway. */
  readonly gateway: GatewayProcess;
  /** All of them, when the options asked for more than one. */
  readonly gateways: readonly GatewayProcess[];
  /** HAProxy, when the options asked for it. */
  readonly haproxy: RunningHaproxy;
  /** Starts another gateway with {@link GatewayE2E.config} behind a symlinked configuration file. */
  startLinkedGateway(args?: string[]): Promise<LinkedGateway>;
}

/**
 * Registers the `beforeAll`/`afterAll` of an end-to-end test file: an echoing TLS target, the real gateway
 * process(es) configured to reach it by name, optionally HAProxy in front, each stopped in reverse order at
 * the end, followed by the descriptor and child-process checks of {@link useE2EScope}.
 *
 * @example
 * const e2e = useGatewayE2E({ hosts: ['agent.example.test'], args: ['--workers', '2'] });
 *
 * it('tunnels', async () => {
 *   const session = await openTlsTunnel(e2e.gateway.port, `agent.example.test:${e2e.target.port}`);
 *   expect(await echoes(session)).toBe(true);
 *   await closeSocket(session);
 * });
 */
export function useGatewayE2E(options: GatewayE2EOptions): GatewayE2E {
  const scope = useE2EScope();
  let target: LocalTlsServer | undefined;
  let config: GatewayConfig | undefined;
  let gateways: GatewayProcess[] = [];
  let haproxy: RunningHaproxy | undefined;
  const e2e: GatewayE2E = {
    ...scope,
    get target() {
      return started(target, 'target');
    },
    get config() {
      return started(config, 'configuration');
    },
    get gateway() {
      return started(gateways[0], 'gateway');
    },
    get gateways() {
      return gateways;
    },
    get haproxy() {
      return started(haproxy, 'HAProxy');
    },
    async startLinkedGateway(args = []) {
      const watched = await scope.tempDir();
      const file = path.join(await scope.tempDir(), 'real.json');
      const link = path.join(watched, 'agent-gateway.json');
      const linked = {
        ...e2e.config,
        ListenAddress: '127.0.0.1',
        ListenPort: await freePort(),
        AdminListen: `127.0.0.1:${await freePort()}`,
      };
      await writeJson(file, linked);
      await fs.symlink(file, link);
      const gateway = await scope.startGateway({
        config: linked,
        dir: watched,
        configFile: link,
        writeConfig: false,
        args,
      });
      return { gateway, file, config: linked };
    },
  };
  beforeAll(async () => {
    const server = await startTlsServer();
    target = server;
    scope.defer(() => server.close());
    const settings = typeof options.config === 'function' ? await options.config(e2e) : options.config;
    config = {
      Presets: [],
      AllowedHosts: options.hosts,
      HostOverrides: Object.fromEntries(options.hosts.map((name) => [name, '127.0.0.1'])),
      AllowedDestinationNetworks: ['127.0.0.0/8'],
      AllowedPorts: [server.port],
      ...settings,
    };
    const startOne = () => scope.startGateway({ config: e2e.config, args: options.args ?? [] });
    gateways = await Promise.all(Array.from({ length: options.gateways ?? 1 }, startOne));
    if (options.haproxy !== undefined) {
      const running = await startHaproxy(await options.haproxy(e2e));
      haproxy = running;
      scope.defer(() => running.stop());
    }
  });
  return e2e;
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`useGatewayE2E: no ${what} (its beforeAll failed or has not run)`);
  return value;
}
