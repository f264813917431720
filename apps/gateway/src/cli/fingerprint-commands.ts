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
  const group = program
    .command('allowed-fingerprint')
    .description(
      'AllowedClientFingerprints: JA4 fingerprints of the clients allowed (each part may be *), checked per ClientFingerprintPolicy',
    );

  group
    .command('list')
    .description('List the allowed client fingerprints with their labels')
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
    .description('Allow a client fingerprint, e.g. t13d1516h2_8daaf6152771_e5627efa2ab1 or t13d1516h2_*_*')
    .argument('<ja4>', 'a JA4 fingerprint; any of its three parts may be *')
    .option('--label <text>', 'a name for the client, e.g. "Arc agent"')
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
      const label = parsed.label === undefined ? '' : ` ("${parsed.label}")`;
      context.io.stdout.write(
        outcome === 'added'
          ? `Added allowed client fingerprint ${parsed.pattern}${label}\n`
          : outcome === 'relabelled'
            ? `Relabelled allowed client fingerprint ${parsed.pattern}${label}\n`
            : `${parsed.pattern} is already an allowed client fingerprint\n`,
      );
    });

  group
    .command('remove')
    .description('Remove an allowed client fingerprint')
    .argument('<ja4>', 'the fingerprint as listed')
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
      context.io.stdout.write(`Removed allowed client fingerprint ${pattern}\n`);
    });

  program
    .command('fingerprints')
    .description(
      'The client fingerprints (JA4) the running gateway has seen, each with the allowed-fingerprint add line to allow it',
    )
    .option('--admin <url>', 'the admin endpoint (default: from AdminListen)')
    .option('--json', 'print them as JSON')
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
      const out: string[] = [
        `${report.fingerprints.length} client fingerprint${report.fingerprints.length === 1 ? '' : 's'} seen (ClientFingerprintPolicy ${config.ClientFingerprintPolicy}; at most ${report.capacity} kept, ${report.evicted} dropped)`,
      ];
      for (const { seen, rule, add } of rows) {
        out.push(
          '',
          `${seen.ja4}  ${seen.count} verified, ${seen.refused} refused; first ${seen.firstSeen}, last ${seen.lastSeen}`,
          `  example: ${seen.exampleSni ?? '(no SNI)'} from ${seen.exampleClient}; JA3 ${seen.ja3}`,
          rule === undefined
            ? `  not in AllowedClientFingerprints; to allow it: ${add}`
            : `  allowed by ${rule.pattern}${rule.label === undefined ? '' : ` ("${rule.label}")`}`,
        );
      }
      context.io.stdout.write(`${out.join('\n')}\n`);
    });
}
