import cluster from 'node:cluster';
import { jsonLinesSink } from '@agent-gateway/events/node';
import { ConfigError } from '../config/errors.ts';
import { ignoreTerminalSignals, onTerminate } from '../platform/signals.ts';
import { workerListenOptions } from '../platform/worker-sockets.ts';
import { type GatewayCore, startGatewayCore } from '../runtime/gateway-core.ts';
import { forwardingSink } from './forwarding-sink.ts';
import { isGatewayMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    // The callback fires once the message is handed to the channel (or failed): only then may we exit.
    process.send(message, undefined, {}, () => resolve());
  });
}

function nextMessage<T extends PrimaryMessage['type']>(
  type: T,
): Promise<Extract<PrimaryMessage, { type: T }> | undefined> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isGatewayMessage<PrimaryMessage>(message) || message.type !== type) return;
      done();
      resolve(message as Extract<PrimaryMessage, { type: T }>);
    };
    const onDisconnect = () => {
      done();
      resolve(undefined);
    };
    const done = () => {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
  });
}

/**
 * Runs one worker of `agent-gateway run --workers N` (the primary forks the same command line; see
 * `primary.ts`). The worker takes its configuration from the primary, never from the file, binds its own
 * `SO_REUSEPORT` socket on the shared port, writes its events to stdout with a `worker` field and forwards
 * them in batches to the primary, answers the primary's scrapes, and drains when the primary says so.
 *
 * Signals: SIGINT and SIGHUP are ignored (Ctrl-C in a terminal signals the whole process group, and only the
 * primary decides to stop or reload). SIGTERM drains and exits like the primary's `agw:shutdown`, because
 * service managers (systemd's default `KillMode=control-group`, a container runtime) send it to every
 * process at once; a lost primary (the IPC channel closes) does the same.
 */
export async function runWorker(): Promise<void> {
  ignoreTerminalSignals();
  const id = cluster.worker?.id ?? 0;

  const first = nextMessage('agw:config');
  await send({ type: 'agw:hello' });
  const start = await first;
  if (start === undefined) return; // the primary went away before it sent a configuration

  const forward = forwardingSink({ send: (records) => void send({ type: 'agw:events', records }) });
  let core: GatewayCore;
  try {
    core = await startGatewayCore({
      config: start.config,
      ...(start.language === undefined ? {} : { language: start.language }),
      sinks: [jsonLinesSink(), forward],
      // Each worker binds its own socket with SO_REUSEPORT, so the kernel balances new connections across
      // the workers and the primary never touches a client connection.
      listenOptions: workerListenOptions,
      eventFields: { worker: id },
    });
  } catch (error) {
    await send({
      type: 'agw:start-failed',
      message: (error as Error).message,
      configError: ConfigError.isInstance(error),
      ...(typeof (error as NodeJS.ErrnoException).code === 'string'
        ? { code: (error as NodeJS.ErrnoException).code }
        : {}),
    });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  let generation = start.generation;
  await send({
    type: 'agw:listening',
    address: core.listenAddress.address,
    port: core.listenAddress.port,
    maxTunnels: core.maxTunnels,
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      process.off('message', onMessage);
      stopTerminate();
      const remaining = await core.drain();
      await forward.flush?.();
      await send({ type: 'agw:drained', remaining });
      await core.close();
      if (process.connected) process.disconnect();
      resolve();
    };
    const onMessage = (message: unknown) => {
      if (!isGatewayMessage<PrimaryMessage>(message)) return;
      switch (message.type) {
        case 'agw:config':
          // The primary validated it and sends generations in order; an older one can only be a duplicate.
          if (message.generation <= generation) return;
          generation = message.generation;
          try {
            core.applyConfig(message.config);
          } catch (error) {
            // E.g. a RelayProxyCaFile that became unreadable between the primary's check and ours.
            core.reportBadConfig(`generation ${message.generation}: ${(error as Error).message}`);
          }
          return;
        case 'agw:collect':
          void send({
            type: 'agw:collected',
            request: message.request,
            snapshot: core.snapshot({ clients: false }),
            clientChanges: core.counters.takeClientChanges(),
            records: forward.take(),
            maxTunnels: core.maxTunnels,
          });
          return;
        case 'agw:status-detail':
          void send({ type: 'agw:status-detail', request: message.request, ...core.statusDetail() });
          return;
        case 'agw:fingerprints':
          void send({
            type: 'agw:fingerprints-report',
            request: message.request,
            report: core.fingerprints(),
          });
          return;
        case 'agw:shutdown':
          void stop();
          return;
      }
    };
    process.on('message', onMessage);
    const stopTerminate = onTerminate(() => void stop());
    process.once('disconnect', () => void stop());
  });
}
