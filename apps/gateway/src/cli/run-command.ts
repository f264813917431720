import cluster from 'node:cluster';
import { createEventLog } from '@agent-gateway/events';
import { jsonLinesSink } from '@agent-gateway/events/node';
import { auditPolicy, type PolicyAudit } from '@agent-gateway/policy';
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { type RunningPrimary, startPrimary, WorkerStartError } from '../cluster/primary.ts';
import { runWorker } from '../cluster/worker.ts';
import { ConfigError, type GatewayConfig, loadOrCreateConfig, watchConfig } from '../config/index.ts';
import { type GatewayText, gatewayText, type MessageKey } from '../languages/index.ts';
import { onReloadSignal, onStopSignal } from '../platform/signals.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { startGateway } from '../runtime/gateway.ts';
import { columns } from './columns.ts';
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

/** The banner's audit line: how many rules reach into shared domains, and the command that lists them. */
function auditText(audit: PolicyAudit, command: string, text: GatewayText): string {
  return text.t('banner.auditValue', { count: audit.findings.length, narrowable: audit.narrowable, command });
}

/** The start banner on stderr, in the gateway's language; `command` is how the operator runs the CLI. */
export function banner(
  gateway: RunningService,
  file: string,
  workers: number,
  text: GatewayText,
  command: string,
): string {
  const { config } = gateway;
  const listen = gateway.listenAddress;
  const admin = gateway.adminAddress;
  const adminUrl = `http://${admin.address.includes(':') ? `[${admin.address}]` : admin.address}:${admin.port}`;
  const rows: Array<[label: MessageKey, value: string]> = [
    ['banner.admin', text.t('banner.adminValue', { url: adminUrl })],
    ['banner.configuration', file],
    [
      'banner.allowed',
      text.t('banner.allowedValue', {
        presets: config.Presets.length > 0 ? config.Presets.join(', ') : undefined,
        hosts: config.AllowedHosts.length,
        ports: config.AllowedPorts.join(', '),
      }),
    ],
    ['banner.audit', auditText(auditPolicy(compileGatewayPolicy(config)), command, text)],
    [
      'banner.tls',
      text.t('banner.tlsValue', {
        check: config.TlsInspection ? 'on' : 'off',
        minVersion: config.MinTlsVersion,
        fingerprints: config.ClientFingerprintPolicy,
        relay: config.RelayProxy || undefined,
      }),
    ],
    ['banner.change', text.t('banner.changeValue', { command })],
  ];
  const labels = rows.map(([label]) => `${text.t(label)}:`);
  const width = Math.max(...labels.map(columns)) + 1;
  const pad = (label: string) => `  ${label}${' '.repeat(width - columns(label))}`;
  return [
    text.t('banner.title', {
      version: packageJson.version,
      address: `${listen.address}:${listen.port}`,
      workers: workers > 1 ? workers : undefined,
    }),
    ...rows.map(([, value], index) => `${pad(labels[index] as string)}${value}`),
    `${' '.repeat(width + 2)}${text.t('banner.changeNote')}`,
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
    .description(context.help.t('help.run'))
    .option('--workers <n>', context.help.t('help.run.workers'))
    .action(async (options: { workers?: string }) => {
      // The young generation's size and pace (see young-generation.ts), only in a process of our own: first
      // this may replace the process with one whose young generation is bounded (the same PID and command
      // line, before anything is read or written); forked workers inherit that flag.
      if (context.io.ownsProcess === true) {
        if (!cluster.isWorker) boundYoungGeneration();
        scavengeOnlyWhenFull();
      }
      // A worker runs the same command line (cluster.fork); it takes everything else from the primary.
      if (cluster.isWorker) return runWorker();
      // `--lang` is the program's option (it may stand before or after `run`).
      const language = context.language();
      const workers = parseWorkerCount(options.workers, undefined, context.text());
      const file = context.configFile();
      let config: GatewayConfig;
      try {
        const loaded = await loadOrCreateConfig(file, { language });
        context.noteCreated(loaded.created);
        config = loaded.config;
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        // Event 401 on stdout like every event, then the reason for people on stderr, exit 2.
        const startupLog = createEventLog({ language: context.text().code, sinks: [jsonLinesSink()] });
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
          const message = gatewayText(language ?? config.LogLanguage).t('cli.cannotListen', {
            error: (error as Error).message,
          });
          throw new CliExit(ExitCode.failure, message);
        }
        if (error instanceof WorkerStartError) throw new CliExit(ExitCode.failure, error.message);
        throw error;
      }
      const say = gatewayText(language ?? config.LogLanguage);
      context.io.stderr.write(
        banner(gateway, file, workers, say, commandName(currentInvocation(context.io.env))),
      );

      const watcher = watchConfig(
        file,
        config,
        {
          // A configuration that cannot be applied throws: the watcher reports it (onInvalid) and keeps the last
          // good one current.
          onChange: (next, generation) => gateway.applyConfig(next, generation),
          onInvalid: (error) => gateway.reportBadConfig(error.message, file),
        },
        { language },
      );
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
