import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { AzcmCodesError, type Cloud, type Lang } from '@agent-gateway/azcm-codes';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { runCheck } from './check.ts';
import {
  type ConnectToEntry,
  parseConnectTo,
  parseDnsServer,
  parseResolve,
  type ResolveEntry,
} from './curl-seams.ts';
import { DiagnoseError } from './errors.ts';
import { ExitCode, type ExitCodeValue } from './exit-codes.ts';
import { explain } from './explain.ts';
import { runGateway } from './gateway.ts';
import { defaultLogFiles } from './log-locations.ts';
import { decodeLogBytes, type LogFinding, scanLogText } from './logs.ts';
import { messages } from './messages.ts';
import { NameResolver } from './name-resolution.ts';
import { createProgress } from './progress.ts';
import { parseProxyUrl } from './proxy-route.ts';
import { renderCheck, renderExplain, renderGateway, renderLogs } from './render.ts';
import { colorsFor } from './style.ts';
import { trustedCertificates } from './trust-store.ts';

/** The streams and environment the CLI works with (the real process's by default). */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

/** The CLI's version, from its package.json. */
export const version: string = pkg.version;

const clouds: readonly Cloud[] = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'];

interface GlobalOptions {
  json?: boolean;
  lang: Lang;
}

interface NetworkOptions {
  cloud: Cloud;
  location?: string;
  resolve: ResolveEntry[];
  connectTo: ConnectToEntry[];
  dnsServer?: ReturnType<typeof parseDnsServer>;
  caFile: string[];
  timeout: number;
  parallel: number;
  progress: boolean;
}

function collect<T>(parse: (text: string) => T) {
  return (value: string, previous: T[] = []): T[] => {
    try {
      return [...previous, parse(value)];
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function single<T>(parse: (text: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return Number(value);
  };
}

function addNetworkOptions(command: Command): Command {
  return command
    .addOption(new Option('--cloud <cloud>', 'Azure cloud').choices(clouds).default('AzureCloud'))
    .option(
      '--location <region>',
      'Azure region of the machine resource, e.g. westeurope (adds regional hosts)',
    )
    .option(
      '--resolve <host:port:addr>',
      "use ADDR for HOST:PORT without DNS (curl's form; repeatable)",
      collect(parseResolve),
    )
    .option(
      '--connect-to <host1:port1:host2:port2>',
      "connect to HOST2:PORT2 instead of HOST1:PORT1 (curl's form, parts may be empty; repeatable)",
      collect(parseConnectTo),
    )
    .option(
      '--dns-server <addr:port>',
      'ask this DNS server instead of the system resolver',
      single(parseDnsServer),
    )
    .option(
      '--ca-file <file>',
      'also trust the CA certificates in this PEM file (repeatable)',
      collect(String),
    )
    .option('--timeout <ms>', 'time budget per endpoint in milliseconds', integer(100, 600_000), 10_000)
    .option('--parallel <n>', 'endpoints checked at the same time', integer(1, 64), 8)
    .option('--no-progress', 'no progress line on standard error');
}

function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Builds the `azcm-diagnose` command line. Each action stores its exit code through `setExit`.
 */
export function createProgram(io: CliIo, setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command()
    .name('azcm-diagnose')
    .description(
      'Troubleshooting for the Azure Arc Connected Machine agent: explains AZCM codes, finds known failures in agent logs, and checks the connectivity the agent needs.',
    )
    .version(version, '-V, --version')
    .option('--json', 'machine-readable JSON on standard output')
    .addOption(
      new Option('--lang <lang>', 'language of the explanations').choices(['en', 'de']).default('en'),
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing wrong, 1 problems found (findings, failed or refused endpoints, nothing to explain),\n2 usage error, 3 an input could not be read.',
    );
  const colors = colorsFor(io.stdout, io.env);

  program
    .command('explain')
    .description('explain an AZCM code (AZCM0041, 41) or a fragment of an error message')
    .argument('<code-or-text...>', 'the code, or the message text')
    .action((words: string[], _options: unknown, command: Command) => {
      const { json, lang } = command.optsWithGlobals<GlobalOptions>();
      const result = explain(words.join(' '), lang);
      if (json) writeJson(io, result);
      else io.stdout.write(`${renderExplain(result, lang, colors)}\n`);
      setExit(result.matches.length + result.codes.length > 0 ? ExitCode.ok : ExitCode.problems);
    });

  program
    .command('logs')
    .description(
      'scan agent logs or console output for AZCM codes and known failures (- reads standard input)',
    )
    .argument('[files...]', `log files; default: ${defaultLogFiles(process.platform, io.env).join(', ')}`)
    .option('--all', 'also show failures a later success overcame, and debug retries')
    .action(async (files: string[], options: { all?: boolean }, command: Command) => {
      const { json, lang } = command.optsWithGlobals<GlobalOptions>();
      const t = messages(lang);
      let inputs = files;
      if (inputs.length === 0) {
        const candidates = defaultLogFiles(process.platform, io.env);
        const present: string[] = [];
        for (const file of candidates) {
          try {
            await access(file, constants.R_OK);
            present.push(file);
          } catch {
            // Missing or unreadable default locations are skipped; none at all is reported below.
          }
        }
        if (present.length === 0) throw new DiagnoseError('DIAGNOSE_INPUT', t.noLogs(candidates));
        inputs = present;
      }
      const findings: LogFinding[] = [];
      for (const input of inputs) {
        let text: string;
        try {
          text = decodeLogBytes(input === '-' ? await readStdin(io.stdin) : await readFile(input));
        } catch (error) {
          throw new DiagnoseError('DIAGNOSE_INPUT', `cannot read ${input}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        findings.push(...scanLogText(input, text, lang, options.all === true));
      }
      if (json) writeJson(io, { inputs, findings });
      else io.stdout.write(`${renderLogs(findings, inputs.length, lang, colors)}\n`);
      setExit(findings.some((f) => f.status === 'failure') ? ExitCode.problems : ExitCode.ok);
    });

  addNetworkOptions(
    program
      .command('check')
      .description(
        'check DNS, TCP, TLS and HTTPS to every endpoint the agent needs, directly or through a proxy',
      ),
  )
    .option('--proxy <url>', 'proxy URL (default: HTTPS_PROXY / ALL_PROXY; NO_PROXY applies)')
    .option('--noproxy <list>', 'hosts that bypass the proxy (default: NO_PROXY)')
    .option('--only <host>', 'check only this catalog host (repeatable)', collect(String))
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<
        GlobalOptions & NetworkOptions & { proxy?: string; noproxy?: string; only?: string[] }
      >();
      if (options.proxy !== undefined) parseProxyUrl(options.proxy);
      const t = messages(options.lang);
      const progress = createProgress(io.stderr, options.progress && io.stderr.isTTY === true);
      const report = await runCheck({
        cloud: options.cloud,
        location: options.location,
        proxy: { proxy: options.proxy, noProxy: options.noproxy, env: io.env },
        connectTo: options.connectTo ?? [],
        resolver: resolverFor(options),
        ca: trustedCertificates(options.caFile ?? []),
        timeoutMs: options.timeout,
        parallel: options.parallel,
        lang: options.lang,
        userAgent: `azcm-diagnose/${version}`,
        only: options.only,
        onProgress: (done, total, host) => progress.update(t.progress(done, total, host)),
      });
      progress.done();
      if (options.json) writeJson(io, report);
      else io.stdout.write(`${renderCheck(report, options.lang, colors)}\n`);
      // Optional endpoints (install-time downloads, Windows Admin Center, ...) fail the run only when asked for.
      const counts = options.only !== undefined ? report.summary.failed : report.summary.requiredFailed;
      setExit(counts > 0 ? ExitCode.problems : ExitCode.ok);
    });

  addNetworkOptions(
    program
      .command('gateway')
      .description('ask an agent-gateway (or any CONNECT proxy) which Arc endpoints it lets through'),
  )
    .requiredOption('--proxy <url>', 'the gateway or proxy, e.g. http://gateway.contoso.local:8080')
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & NetworkOptions & { proxy: string }>();
      const proxy = parseProxyUrl(options.proxy);
      const t = messages(options.lang);
      const progress = createProgress(io.stderr, options.progress && io.stderr.isTTY === true);
      const report = await runGateway({
        proxy,
        cloud: options.cloud,
        location: options.location,
        connectTo: options.connectTo ?? [],
        resolver: resolverFor(options),
        ca: trustedCertificates(options.caFile ?? []),
        timeoutMs: options.timeout,
        parallel: options.parallel,
        lang: options.lang,
        userAgent: `azcm-diagnose/${version}`,
        onProgress: (done, total, host) => progress.update(t.progress(done, total, host)),
      });
      progress.done();
      if (options.json) writeJson(io, report);
      else io.stdout.write(`${renderGateway(report, options.lang, colors)}\n`);
      setExit(report.endpoints.every((e) => e.verdict === 'allowed') ? ExitCode.ok : ExitCode.problems);
    });

  return program;
}

function resolverFor(options: NetworkOptions): NameResolver {
  return new NameResolver({
    resolve: options.resolve ?? [],
    ...(options.dnsServer !== undefined ? { dnsServer: options.dnsServer } : {}),
    timeoutMs: Math.min(options.timeout, 5000),
  });
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and resolves with the exit code; never throws.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv);
 * ```
 */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env },
): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.ok;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (DiagnoseError.isInstance(error)) {
      io.stderr.write(`azcm-diagnose: ${error.message}\n`);
      return error.code === 'DIAGNOSE_INPUT' ? ExitCode.inputError : ExitCode.usage;
    }
    if (AzcmCodesError.isInstance(error)) {
      // An unknown cloud or a malformed region: a usage error.
      io.stderr.write(`azcm-diagnose: ${error.message}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(`azcm-diagnose: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.inputError;
  }
}
