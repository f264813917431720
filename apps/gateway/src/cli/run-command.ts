import cluster from 'node:cluster';
import { createEventLog } from '@agent-gateway/events';
import { jsonLinesSink } from '@agent-gateway/events/node';
import { auditPolicy } from '@agent-gateway/policy';
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { type RunningPrimary, startPrimary, WorkerStartError } from '../cluster/primary.ts';
import { runWorker } from '../cluster/worker.ts';
import { ConfigError, type GatewayConfig, loadOrCreateConfig, watchConfig } from '../config/index.ts';
import { onReloadSignal, onStopSignal } from '../platform/signals.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { startGateway } from '../runtime/gateway.ts';
import { auditSummary } from './audit-report.ts';
import { commandName, currentInvocation } from './command-name.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';
import { parseWorkerCount } from './worker-count.ts';
import { boundYoungGeneration, scavengeOnlyWhenFull } from './young-generation.ts';

/** What `run` needs of a running gateway, one process or a primary with workers. */
type RunningService = Pick<
  RunningPrimary,
  'listenAddress' | 'adminAddress' | 'config' | 'reportBadConfig' | 'shutdown'
> & { applyConfig(config: GatewayConfig, generation?: number): void };

function describeAllowlist(config: GatewayConfig): string {
  const parts = [];
  if (config.Presets.length > 0) parts.push(`presets ${config.Presets.join(', ')}`);
  parts.push(`${config.AllowedHosts.length} local host rule${config.AllowedHosts.length === 1 ? '' : 's'}`);
  return `${parts.join(' + ')}; ports ${config.AllowedPorts.join(', ')}`;
}

function banner(gateway: RunningService, file: string, workers: number, command: string): string {
  const { config } = gateway;
  const listen = gateway.listenAddress;
  const admin = gateway.adminAddress;
  const adminUrl = `http://${admin.address.includes(':') ? `[${admin.address}]` : admin.address}:${admin.port}`;
  return [
    `agent-gateway ${packageJson.version}: CONNECT proxy listening on ${listen.address}:${listen.port}${workers > 1 ? ` (${workers} workers)` : ''}`,
    `  admin:         ${adminUrl}/status  (metrics ${adminUrl}/metrics, probes /healthz /readyz)`,
    `  configuration: ${file}`,
    `  allowed:       ${describeAllowlist(config)}`,
    `  audit:         ${auditSummary(auditPolicy(compileGatewayPolicy(config)), command)}`,
    `  TLS check:     ${config.TlsInspection ? `on (SNI must match, TLS >= ${config.MinTlsVersion}; client fingerprints ${config.ClientFingerprintPolicy})` : 'off'}${config.RelayProxy ? `; relay ${config.RelayProxy}` : ''}`,
    `  change it:     ${command} allowed-host add HOST | ${command} config set KEY VALUE`,
    '                 (a running gateway applies changes within a second; SIGHUP reloads too)',
    '',
  ].join('\n');
}

/**
 * `agent-gateway run [--workers N]`: starts the gateway (one process, or a primary with N workers sharing
 * the port) and keeps it running until SIGTERM or SIGINT.
 */
export function registerRunCommand(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('Start the gateway with the configuration file (created with defaults if missing)')
    .option('--lang <lang>', 'language of event messages: en or de (default: LogLanguage)')
    .option(
      '--workers <n>',
      'worker processes sharing the port, 1 = a single process (default: one per core)',
    )
    .action(async (options: { lang?: string; workers?: string }) => {
      // The young generation's size and pace (see young-generation.ts), only in a process of our own: first
      // this may replace the process with one whose young generation is bounded (the same PID and command
      // line, before anything is read or written); forked workers inherit that flag.
      if (context.io.ownsProcess === true) {
        if (!cluster.isWorker) boundYoungGeneration();
        scavengeOnlyWhenFull();
      }
      // A worker runs the same command line (cluster.fork); it takes everything else from the primary.
      if (cluster.isWorker) return runWorker();
      const workers = parseWorkerCount(options.workers);
      if (options.lang !== undefined && options.lang !== 'en' && options.lang !== 'de') {
        throw new CliExit(ExitCode.usage, `--lang must be en or de, not ${options.lang}`);
      }
      const language = options.lang as 'en' | 'de' | undefined;
      const file = context.configFile();
      let config: GatewayConfig;
      try {
        const loaded = await loadOrCreateConfig(file);
        context.noteCreated(loaded.created);
        config = loaded.config;
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        // Event 401 on stdout like every event, then the reason for people on stderr, exit 2.
        const startupLog = createEventLog({ language: language ?? 'en', sinks: [jsonLinesSink()] });
        startupLog.emit(401, { problem: error.message, phase: 'start', file });
        await startupLog.close();
        throw new CliExit(ExitCode.usage, error.message);
      }

      let gateway: RunningService;
      try {
        const languageOption = language === undefined ? {} : { language };
        // One worker keeps the single-process path: no cluster, no IPC between the sockets and the counters.
        gateway =
          workers === 1
            ? await startGateway({ config, configFile: file, ...languageOption })
            : await startPrimary({ config, workers, configFile: file, ...languageOption });
      } catch (error) {
        if (ConfigError.isInstance(error)) {
          // A setting that validated but cannot be used (e.g. an unreadable RelayProxyCaFile).
          const startupLog = createEventLog({
            language: language ?? config.LogLanguage,
            sinks: [jsonLinesSink()],
          });
          startupLog.emit(401, { problem: error.message, phase: 'start', file });
          await startupLog.close();
          throw new CliExit(ExitCode.usage, error.message);
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new CliExit(ExitCode.failure, `cannot listen: ${(error as Error).message}`);
        }
        if (error instanceof WorkerStartError) throw new CliExit(ExitCode.failure, error.message);
        throw error;
      }
      context.io.stderr.write(banner(gateway, file, workers, commandName(currentInvocation(context.io.env))));

      const watcher = watchConfig(file, config, {
        // A configuration that cannot be applied throws: the watcher reports it (onInvalid) and keeps the last
        // good one current.
        onChange: (next, generation) => gateway.applyConfig(next, generation),
        onInvalid: (error) => gateway.reportBadConfig(error.message, file),
      });
      const stopReloading = onReloadSignal(() => void watcher.reload());
      await new Promise<void>((resolve) => {
        const stopListening = onStopSignal((signal) => {
          stopListening();
          stopReloading();
          watcher.close();
          void gateway.shutdown('signal', signal).then(resolve);
        });
      });
    });
}
