import { parseFingerprintRule } from '@agent-gateway/policy';
import type { Command } from 'commander';
import { defaultConfig, type GatewayConfig, readConfigFile, updateConfigFile } from '../config/index.ts';
import type { GatewayText } from '../languages/index.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import type { FingerprintReport, SeenFingerprint } from '../runtime/fingerprint-ledger.ts';
import { parseAdminListen } from '../runtime/gateway-admin.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';

type Entry = GatewayConfig['AllowedClientFingerprints'][number];

function patternOf(entry: unknown): string | undefined {
  const text = typeof entry === 'string' ? entry : (entry as { JA4?: unknown } | null)?.JA4;
  if (typeof text !== 'string') return undefined;
  const parsed = parseFingerprintRule(text);
  return parsed.ok ? parsed.pattern : text;
}

function labelOf(entry: Entry): string | undefined {
  return typeof entry === 'string' ? undefined : entry.Label;
}

function entriesOf(raw: Record<string, unknown>, current: GatewayConfig): unknown[] {
  const value = raw.AllowedClientFingerprints;
  return Array.isArray(value) ? [...value] : [...current.AllowedClientFingerprints];
}

/** The shell-safe form of a label for the suggested command line. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `agent-gateway allowed-fingerprint add LINE` for a fingerprint seen. */
export function addCommandFor(seen: SeenFingerprint): string {
  const label = seen.exampleSni === undefined ? undefined : `client of ${seen.exampleSni}`;
  return `agent-gateway allowed-fingerprint add ${seen.ja4}${label === undefined ? '' : ` --label ${quote(label)}`}`;
}

async function fetchReport(
  config: GatewayConfig,
  admin: string | undefined,
  text: GatewayText,
): Promise<FingerprintReport> {
  let base = admin;
  if (base === undefined) {
    const { host, port } = parseAdminListen(config.AdminListen);
    // A listener on every address is reached on loopback.
    const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    base = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  }
  const url = `${base.replace(/\/$/, '')}/fingerprints`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: config.AdminToken === '' ? {} : { authorization: `Bearer ${config.AdminToken}` },
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw new CliExit(
      ExitCode.failure,
      text.t('cli.adminUnreachable', {
        url,
        error: String((error as Error).cause ?? (error as Error).message),
      }),
    );
  }
  if (!response.ok) {
    throw new CliExit(
      ExitCode.failure,
      text.t('cli.adminAnswered', { url, status: String(response.status) }),
    );
  }
  return (await response.json()) as FingerprintReport;
}

export function registerFingerprintCommands(program: Command, context: CliContext): void {
  const help = context.help;
  const group = program.command('allowed-fingerprint').description(help.t('help.fingerprint'));

  group
    .command('list')
    .description(help.t('help.fingerprint.list'))
    .action(async () => {
      const config = (await readConfigFile(context.configFile()))?.config ?? defaultConfig();
      const entries = config.AllowedClientFingerprints;
      for (const entry of entries) {
        const label = labelOf(entry);
        context.io.stdout.write(`${patternOf(entry)}${label === undefined ? '' : `  ${label}`}\n`);
      }
      if (entries.length === 0) context.io.stderr.write(`${context.text().t('list.noFingerprints')}\n`);
      context.io.stderr.write(`ClientFingerprintPolicy: ${config.ClientFingerprintPolicy}\n`);
    });

  group
    .command('add')
    .description(help.t('help.fingerprint.add'))
    .argument('<ja4>', help.t('help.fingerprint.ja4'))
    .option('--label <text>', help.t('help.fingerprint.label'))
    .action(async (text: string, options: { label?: string }) => {
      const parsed = parseFingerprintRule(text, options.label);
      if (!parsed.ok) {
        // English keeps the policy engine's precise sentence; other languages name the reason code.
        const say = context.text();
        const why =
          say.code === 'en' ? parsed.message : say.t('cli.badFingerprint', { reason: parsed.reason });
        throw new CliExit(ExitCode.usage, `${text}: ${why}`);
      }
      let outcome = 'present' as 'added' | 'relabelled' | 'present';
      const { created } = await updateConfigFile(context.configFile(), (raw, current) => {
        const entries = entriesOf(raw, current);
        const entry: Entry =
          parsed.label === undefined ? parsed.pattern : { JA4: parsed.pattern, Label: parsed.label };
        const index = entries.findIndex((existing) => patternOf(existing) === parsed.pattern);
        if (index >= 0) {
          if (options.label === undefined || labelOf(entries[index] as Entry) === options.label) return false;
          entries[index] = entry;
          outcome = 'relabelled';
        } else {
          entries.push(entry);
          outcome = 'added';
        }
        raw.AllowedClientFingerprints = entries;
        return undefined;
      });
      context.noteCreated(created);
      const said = context
        .text()
        .t(
          outcome === 'added'
            ? 'fingerprint.added'
            : outcome === 'relabelled'
              ? 'fingerprint.relabelled'
              : 'fingerprint.already',
          { pattern: parsed.pattern, label: parsed.label },
        );
      context.io.stdout.write(`${said}\n`);
    });

  group
    .command('remove')
    .description(help.t('help.fingerprint.remove'))
    .argument('<ja4>', help.t('help.fingerprint.listed'))
    .action(async (text: string) => {
      const pattern = patternOf(text) ?? text;
      let removed = false;
      await updateConfigFile(context.configFile(), (raw, current) => {
        const entries = entriesOf(raw, current);
        const kept = entries.filter((existing) => patternOf(existing) !== pattern);
        removed = kept.length !== entries.length;
        if (!removed) return false;
        raw.AllowedClientFingerprints = kept;
        return undefined;
      });
      if (!removed) {
        throw new CliExit(ExitCode.failure, context.text().t('cli.notAFingerprint', { entry: text }));
      }
      context.io.stdout.write(`${context.text().t('fingerprint.removed', { pattern })}\n`);
    });

  program
    .command('fingerprints')
    .description(help.t('help.fingerprints'))
    .option('--admin <url>', help.t('help.fingerprints.admin'))
    .option('--json', help.t('help.fingerprints.json'))
    .action(async (options: { admin?: string; json?: boolean }) => {
      const config = (await readConfigFile(context.configFile()))?.config ?? defaultConfig();
      const report = await fetchReport(config, options.admin, context.text());
      const policy = compileGatewayPolicy(config);
      const rows = report.fingerprints.map((seen) => {
        const decision = policy.decideClientFingerprint(seen.ja4);
        const rule = decision.ruleId === undefined ? undefined : policy.rule(decision.ruleId);
        return { seen, rule, add: rule === undefined ? addCommandFor(seen) : undefined };
      });
      if (options.json) {
        context.io.stdout.write(
          `${JSON.stringify(
            {
              ...report,
              clientFingerprintPolicy: config.ClientFingerprintPolicy,
              fingerprints: rows.map(({ seen, rule, add }) => ({
                ...seen,
                ...(rule === undefined
                  ? { allowed: false, addCommand: add }
                  : {
                      allowed: true,
                      allowedBy: rule.pattern,
                      ...(rule.label === undefined ? {} : { allowedLabel: rule.label }),
                    }),
              })),
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      const say = context.text();
      const out: string[] = [
        say.t('fingerprints.seen', {
          count: report.fingerprints.length,
          policy: config.ClientFingerprintPolicy,
          capacity: report.capacity,
          evicted: report.evicted,
        }),
      ];
      for (const { seen, rule, add } of rows) {
        out.push(
          '',
          `${seen.ja4}  ${say.t('fingerprints.counts', { verified: seen.count, refused: seen.refused, first: seen.firstSeen, last: seen.lastSeen })}`,
          `  ${say.t('fingerprints.example', { sni: seen.exampleSni, client: seen.exampleClient, ja3: seen.ja3 })}`,
          `  ${
            rule === undefined
              ? say.t('fingerprints.notAllowed', { command: add })
              : say.t('fingerprints.allowedBy', { pattern: rule.pattern, label: rule.label })
          }`,
        );
      }
      context.io.stdout.write(`${out.join('\n')}\n`);
    });
}
