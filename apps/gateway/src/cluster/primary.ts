import cluster, { type Worker } from 'node:cluster';
import * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { type CountersSnapshot, GatewayCounters, mergeSnapshots } from '@agent-gateway/counters';
import {
  createEventLog,
  createRecentEvents,
  type EventLog,
  type EventRecord,
  type EventSink,
} from '@agent-gateway/events';
import { jsonLinesSink, reportSinkHealth } from '@agent-gateway/events/node';
import packageJson from '../../package.json' with { type: 'json' };
import type { AdminServer } from '../admin/admin-server.ts';
import { ConfigError } from '../config/errors.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { gatewayTextFor } from '../languages/index.ts';
import {
  FingerprintLedger,
  type FingerprintReport,
  mergeFingerprintReports,
} from '../runtime/fingerprint-ledger.ts';
import { formatEndpoint } from '../runtime/format-endpoint.ts';
import { reloadDetail } from '../runtime/gateway.ts';
import { startGatewayAdmin } from '../runtime/gateway-admin.ts';
import { buildSettings } from '../runtime/settings.ts';
import { type ClientEntry, mergeClients } from '../status/client-tracker.ts';
import { mergeRefused, type RefusedEntry } from '../status/refused-tracker.ts';
import { ClientPresence } from './client-presence.ts';
import { isGatewayMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts';

/** Options of {@link startPrimary}. */
export interface PrimaryOptions {
  config: GatewayConfig;
  workers: number;
  language?: string;
  /** Where the primary's own events go besides the ring; default: JSON lines on stdout. */
  sinks?: EventSink[];
  /** How long a scrape waits for the workers' counters [1000 ms]; a worker that is late is left out. */
  collectTimeoutMs?: number;
  /** Crash-loop guard: at most this many replacements per minute [5]; more are delayed. */
  maxRestartsPerMinute?: number;
  /** How long the start waits for every worker to listen [20000 ms]. */
  startTimeoutMs?: number;
  /** The configuration file the caller watches; `/status` names it in its fix commands. */
  configFile?: string;
}

/** A running multi-worker gateway, seen from its primary. */
export interface RunningPrimary {
  readonly listenAddress: { address: string; port: number };
  readonly adminAddress: { address: string; port: number };
  readonly events: EventLog;
  readonly config: GatewayConfig;
  /** Process IDs of the live workers by worker ID. */
  workerPids(): Map<number, number>;
  /** Validates (compiles) the configuration, then broadcasts it with `generation` to every worker. */
  applyConfig(config: GatewayConfig, generation?: number): void;
  reportBadConfig(problem: string, file?: string): void;
  /** Readiness false, every worker drains and exits, event 102 once for the service. */
  shutdown(reason: 'signal' | 'requested' | 'error', signal?: string): Promise<void>;
}

/** Thrown when a worker could not start; carries the worker's error code (e.g. `EADDRINUSE`). */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

interface WorkerState {
  readonly worker: Worker;
  readonly id: number;
  readonly pid: number;
  listening: boolean;
  /** Told to stop (shutdown): its exit is not a crash. */
  stopping: boolean;
  /** The last counters it reported, kept so that its totals survive a crash. */
  lastSnapshot: CountersSnapshot | undefined;
  /** Its tunnel limit as it last reported it (derived from its own descriptor limit, or `MaxTunnels`). */
  maxTunnels: number;
  remaining: number;
}

const MINUTE_MS = 60_000;

/** A snapshot's totals without its gauges: what a worker that is gone still contributes. */
function retire(snapshot: CountersSnapshot): CountersSnapshot {
  return {
    ...snapshot,
    activeClientConnections: 0,
    connectedClients: 0,
    pendingConnections: 0,
    openConnectionsByClient: {},
  };
}

/**
 * Fails fast when the port is taken. Workers bind with `SO_REUSEPORT`, and Linux lets a second process of
 * the same user share such a port silently (a second gateway would then steal half the connections). A bind
 * without the option fails when anyone listens there, so this keeps today's `EADDRINUSE` at start-up.
 */
async function checkPortFree(host: string, port: number): Promise<void> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/**
 * Starts the primary of `agent-gateway run --workers N`: forks N workers (the same command line, which
 * becomes `runWorker` in a worker), hands each the configuration with its generation (a replacement gets
 * the current one), serves the admin listener with the counters of all workers merged at scrape time and
 * their recent events, replaces a worker that exits without being told to (event 400; at most
 * `maxRestartsPerMinute` replacements a minute, later ones wait until the minute is over), and on shutdown
 * lets every worker drain before it emits event 102 once for the service.
 *
 * The caller runs the configuration watcher and SIGHUP and feeds `applyConfig`, as for a single process.
 */
export async function startPrimary(options: PrimaryOptions): Promise<RunningPrimary> {
  let config = options.config;
  buildSettings(config); // a setting that validated but cannot be used: ConfigError, exit 2, before any fork
  await checkPortFree(config.ListenAddress, config.ListenPort);
  // A single executable applies its own Node options (its SEA execArgv) whenever it starts; passed again
  // on a worker's command line, as cluster does by default, they would reach the CLI as arguments.
  if (process.getBuiltinModule('node:sea')?.isSea()) cluster.setupPrimary({ execArgv: [] });

  const collectTimeoutMs = options.collectTimeoutMs ?? 1000;
  const maxRestarts = options.maxRestartsPerMinute ?? 5;
  const counters = new GatewayCounters();
  const recent = createRecentEvents({ capacity: 200 });
  const language = options.language ?? config.LogLanguage;
  const sinks = [...(options.sinks ?? [jsonLinesSink()]), recent];
  const events = createEventLog({
    language,
    sinks,
    secrets: [config.RelayProxyPassword, config.AdminToken],
    onEvent: (record) => counters.recordEvent(record.id),
  });
  // A full disk under stdout's file: event 404 (to /events) once, event 100 when it writes again.
  reportSinkHealth(events, sinks);
  // Worker records only go to the ring: each worker wrote its own line to stdout already.
  const forwarded = createEventLog({
    language,
    sinks: [recent],
    secrets: [config.RelayProxyPassword, config.AdminToken],
  });
  const states = new Map<number, WorkerState>();
  // The workers' client addresses, from the changes each answer to a scrape carries (connected_clients).
  const presence = new ClientPresence();
  let generation = 1;
  let retired: CountersSnapshot | undefined;
  let shuttingDown = false;
  let started = false;
  let ready = false;
  const restarts: number[] = [];
  let pendingRestart: NodeJS.Timeout | undefined;
  let missing = 0;
  let nextRequest = 0;
  type Detail = { refused: RefusedEntry[]; clients: ClientEntry[] };
  /** Per request sent to the workers (counters, status detail, fingerprints): who waits for each worker's answer. */
  const replyWaiters = new Map<number, Map<number, (reply?: unknown) => void>>();
  let onStarted: ((error?: Error) => void) | undefined;

  const configMessage = (): PrimaryMessage => ({
    type: 'agw:config',
    generation,
    config,
    ...(options.language === undefined ? {} : { language: options.language }),
  });

  function post(state: WorkerState, message: PrimaryMessage): void {
    if (state.worker.isConnected()) state.worker.send(message, undefined, () => {});
  }

  function onWorkerMessage(state: WorkerState, message: unknown): void {
    if (!isGatewayMessage<WorkerMessage>(message)) return;
    switch (message.type) {
      case 'agw:hello':
        post(state, configMessage());
        return;
      case 'agw:listening':
        state.listening = true;
        state.maxTunnels = message.maxTunnels;
        if (started) announce(state);
        else if ([...states.values()].every((s) => s.listening)) onStarted?.();
        return;
      case 'agw:start-failed':
        if (!started) {
          onStarted?.(
            message.configError
              ? new ConfigError('CONFIG_INVALID', message.message)
              : new WorkerStartError(message.message, message.code),
          );
        } else events.emit(400, { error: `worker ${state.id}: ${message.message}`, context: 'cluster' });
        return;
      case 'agw:events':
        for (const record of message.records) forwarded.forward(record);
        return;
      case 'agw:collected': {
        for (const record of message.records) forwarded.forward(record);
        state.lastSnapshot = message.snapshot;
        state.maxTunnels = message.maxTunnels;
        // An answer that arrives after its worker's exit would bring back clients that are gone with it.
        if (states.get(state.id) === state) presence.apply(state.id, message.clientChanges);
        replyWaiters.get(message.request)?.get(state.id)?.(message.snapshot);
        return;
      }
      case 'agw:status-detail':
        replyWaiters.get(message.request)?.get(state.id)?.({
          refused: message.refused,
          clients: message.clients,
        });
        return;
      case 'agw:fingerprints-report':
        replyWaiters.get(message.request)?.get(state.id)?.(message.report);
        return;
      case 'agw:drained':
        state.remaining = message.remaining;
        return;
    }
  }

  /** A replacement listens (the first workers are listed on `/status`, not announced one by one). */
  function announce(state: WorkerState): void {
    const detail = gatewayTextFor(events.language.code).t('event.workerListening', {
      id: String(state.id),
      pid: String(state.pid),
    });
    events.emit(100, { detail });
  }

  function onWorkerExit(state: WorkerState, code: number | null, signal: string | null): void {
    states.delete(state.id);
    presence.remove(state.id);
    // A scrape waiting for it goes on without it; its last totals are in `retired` from now on.
    for (const waiters of replyWaiters.values()) waiters.get(state.id)?.(undefined);
    if (state.lastSnapshot !== undefined) {
      retired = mergeSnapshots([...(retired ? [retired] : []), retire(state.lastSnapshot)]);
    }
    if (shuttingDown || state.stopping) return;
    const how = signal === null ? `code ${code}` : `signal ${signal}`;
    if (!started) {
      onStarted?.(new WorkerStartError(`worker ${state.id} (pid ${state.pid}) exited with ${how}`));
      return;
    }
    events.emit(400, {
      error: `worker ${state.id} (pid ${state.pid}) exited unexpectedly with ${how}; replacing it`,
      context: 'cluster',
      code: signal ?? `exit-${code}`,
    });
    missing += 1;
    replaceMissing();
  }

  /** Forks replacements, at most `maxRestarts` in any minute; the rest wait for the minute to pass. */
  function replaceMissing(): void {
    if (shuttingDown) return;
    const now = Date.now();
    while (restarts.length > 0 && now - (restarts[0] ?? 0) >= MINUTE_MS) restarts.shift();
    while (missing > 0 && restarts.length < maxRestarts) {
      missing -= 1;
      restarts.push(now);
      fork();
    }
    if (missing > 0 && pendingRestart === undefined) {
      const waitMs = MINUTE_MS - (now - (restarts[0] ?? now));
      events.emit(400, {
        error: `${restarts.length} workers replaced within a minute; the next replacement waits ${Math.ceil(waitMs / 1000)} s (running with ${states.size} of ${options.workers} workers)`,
        context: 'cluster',
        code: 'crash-loop',
      });
      pendingRestart = setTimeout(() => {
        pendingRestart = undefined;
        replaceMissing();
      }, waitMs);
    }
  }

  function fork(): WorkerState {
    const worker = cluster.fork();
    const state: WorkerState = {
      worker,
      id: worker.id,
      pid: worker.process.pid ?? 0,
      listening: false,
      stopping: false,
      lastSnapshot: undefined,
      maxTunnels: 0,
      remaining: 0,
    };
    states.set(state.id, state);
    worker.on('message', (message: unknown) => onWorkerMessage(state, message));
    worker.on('exit', (code, signal) => onWorkerExit(state, code, signal));
    // An IPC write error (the worker just died) arrives here; the exit handler does the rest.
    worker.on('error', () => {});
    return state;
  }

  function killAll(): void {
    for (const state of states.values()) {
      state.stopping = true;
      state.worker.process.kill('SIGKILL');
    }
  }

  // Start: every worker must listen before the service counts as started.
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new WorkerStartError(`workers did not listen within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      onStarted = (error) => {
        clearTimeout(timer);
        onStarted = undefined;
        if (error) reject(error);
        else resolve();
      };
      for (let i = 0; i < options.workers; i++) fork();
    });
  } catch (error) {
    shuttingDown = true;
    const exits = [...states.values()].map(
      (state) => new Promise<void>((resolve) => state.worker.once('exit', () => resolve())),
    );
    killAll();
    await Promise.all(exits);
    await events.close();
    await forwarded.close();
    throw error;
  }
  started = true;

  let collecting: Promise<CountersSnapshot> | undefined;
  /**
   * Asks every listening worker for its counters (and pending events); late ones count with their last
   * answer. Callers that come while a round trip is under way share it: `/status` reads the counters and the
   * recent events at once, and the history sampler reads every second, so each would otherwise ask all
   * workers again.
   */
  function collect(): Promise<CountersSnapshot> {
    collecting ??= collectRound().finally(() => {
      collecting = undefined;
    });
    return collecting;
  }

  /**
   * Sends `ask(request)` to every listening worker and resolves with each one's answer; a worker that does
   * not answer within `collectTimeoutMs` gives `late(state)`, one that exits meanwhile gives undefined.
   */
  async function askListeningWorkers<T>(
    ask: (request: number) => PrimaryMessage,
    late: (state: WorkerState) => T | undefined,
  ): Promise<T[]> {
    const request = ++nextRequest;
    const waiters = new Map<number, (reply?: unknown) => void>();
    replyWaiters.set(request, waiters);
    const answers = [...states.values()]
      .filter((state) => state.listening)
      .map(
        (state) =>
          new Promise<T | undefined>((resolve) => {
            const timer = setTimeout(() => resolve(late(state)), collectTimeoutMs);
            waiters.set(state.id, (reply) => {
              clearTimeout(timer);
              resolve(reply as T | undefined);
            });
            post(state, ask(request));
          }),
      );
    const replies = await Promise.all(answers);
    replyWaiters.delete(request);
    return replies.filter((reply) => reply !== undefined);
  }

  async function collectRound(): Promise<CountersSnapshot> {
    // A worker too busy to answer in time counts with its last answer: Prometheus reads a counter that goes
    // down as a reset, so leaving the worker out would make every rate() spike.
    const snapshots = await askListeningWorkers<CountersSnapshot>(
      (request) => ({ type: 'agw:collect', request }),
      (state) => state.lastSnapshot,
    );
    const merged = mergeSnapshots([counters.snapshot(), ...(retired ? [retired] : []), ...snapshots]);
    // The workers send their clients as changes, not in their snapshots: distinct addresses across workers.
    merged.connectedClients = presence.size;
    return merged;
  }

  /**
   * Asks every listening worker for its refused targets and clients and merges them (a worker that does
   * not answer in time is left out: these tables are for people, not counters that must not go down).
   */
  async function collectDetail(): Promise<Detail> {
    const details = await askListeningWorkers<Detail>(
      (request) => ({ type: 'agw:status-detail', request }),
      () => undefined,
    );
    return {
      refused: mergeRefused(details.map((detail) => detail.refused)),
      clients: mergeClients(details.map((detail) => detail.clients)),
    };
  }

  /**
   * Asks every listening worker for the fingerprints it has seen and merges them; a worker that does not
   * answer in time is left out (the fingerprints of a worker that exited are gone with it).
   */
  async function collectFingerprints(): Promise<FingerprintReport> {
    const reports = await askListeningWorkers<FingerprintReport>(
      (request) => ({ type: 'agw:fingerprints', request }),
      () => undefined,
    );
    return reports.length > 0 ? mergeFingerprintReports(reports) : new FingerprintLedger().report();
  }

  const byTime = (a: EventRecord, b: EventRecord) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
  const listen = { address: config.ListenAddress, port: config.ListenPort };
  let admin: AdminServer;
  try {
    admin = await startGatewayAdmin(config, {
      counters: collect,
      recentEvents: async () => {
        await collect();
        // Batches arrive up to 100 ms late and workers interleave: order by time (stable for equal times).
        return recent.list().sort(byTime);
      },
      ready: () => ready && [...states.values()].some((state) => state.listening),
      config: () => config,
      listen,
      // Each worker has its own limit: the gateway's is their sum, over the workers listening now, as of their
      // last answer (a reload of MaxTunnels arrives with the next scrape, which /status makes first).
      maxTunnels: () =>
        [...states.values()].reduce((sum, state) => sum + (state.listening ? state.maxTunnels : 0), 0),
      startedAt: new Date(),
      fingerprints: collectFingerprints,
      workers: () =>
        [...states.values()]
          .filter((state) => state.listening)
          .map((state) => ({ id: state.id, pid: state.pid })),
      statusDetail: collectDetail,
      ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
      language,
    });
  } catch (error) {
    shuttingDown = true;
    const exits = [...states.values()].map(
      (state) => new Promise<void>((resolve) => state.worker.once('exit', () => resolve())),
    );
    for (const state of states.values()) post(state, { type: 'agw:shutdown' });
    await Promise.all(exits);
    await events.close();
    await forwarded.close();
    throw error;
  }
  ready = true;
  events.emit(101, {
    listen: formatEndpoint(listen.address, listen.port),
    version: packageJson.version,
    workers: options.workers,
  });

  let stopped: Promise<void> | undefined;
  return {
    listenAddress: listen,
    adminAddress: { address: admin.address.address, port: admin.address.port },
    events,
    get config() {
      return config;
    },
    workerPids: () => new Map([...states.values()].map((state) => [state.id, state.pid])),
    applyConfig(next, nextGeneration) {
      buildSettings(next); // throws when it cannot be applied: the watcher reports 401, nothing is sent
      const previous = config;
      config = next;
      generation = nextGeneration ?? generation + 1;
      events.setSecrets([next.RelayProxyPassword, next.AdminToken]);
      forwarded.setSecrets([next.RelayProxyPassword, next.AdminToken]);
      for (const state of states.values()) post(state, configMessage());
      events.emit(100, {
        detail: reloadDetail(previous, next, gatewayTextFor(events.language.code), {
          generation,
          workers: states.size,
        }),
      });
    },
    reportBadConfig(problem, file) {
      events.emit(401, { problem, phase: 'reload', ...(file === undefined ? {} : { file }) });
    },
    shutdown(reason, signal) {
      stopped ??= (async () => {
        ready = false;
        shuttingDown = true;
        clearTimeout(pendingRestart);
        // The workers keep accepting until the load balancer has seen /readyz fail (see AcceptGraceMs).
        await delay(config.AcceptGraceMs);
        const all = [...states.values()];
        const exits = all.map(
          (state) => new Promise<void>((resolve) => state.worker.once('exit', () => resolve())),
        );
        for (const state of all) {
          state.stopping = true;
          post(state, { type: 'agw:shutdown' });
        }
        // A worker that does not finish draining in time (plus its grace period) is killed.
        const deadline = setTimeout(killAll, config.DrainTimeoutMs + 5000);
        await Promise.all(exits);
        clearTimeout(deadline);
        events.emit(102, {
          reason,
          remainingTunnels: all.reduce((sum, state) => sum + state.remaining, 0),
          ...(signal === undefined ? {} : { signal }),
        });
        await admin.close();
        await forwarded.close();
        await events.close();
      })();
      return stopped;
    },
  };
}
