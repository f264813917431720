import { isIP } from 'node:net';
import { auditPolicy, parseAuthority } from '@agent-gateway/policy';
import type { Command } from 'commander';
import { defaultConfig, readConfigFile } from '../config/index.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { formatAudit } from './audit-report.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';

/** `host` -> `host:443`, a bare IPv6 address -> `[v6]:443`; anything with a port is left to the parser. */
function withDefaultPort(target: string): string {
  if (isIP(target) === 6) return `[${target}]:443`;
  if (target.startsWith('[') ? target.endsWith(']') : !target.includes(':')) return `${target}:443`;
  return target;
}

async function currentPolicy(context: CliContext) {
  const loaded = await readConfigFile(context.configFile(), { language: context.language() });
  return compileGatewayPolicy(loaded?.config ?? defaultConfig());
}

export function registerPolicyCommands(program: Command, context: CliContext): void {
  const help = context.help;
  const policy = program.command('policy').description(help.t('help.policy'));

  policy
    .command('test')
    .description(help.t('help.policy.test'))
    .argument('[target]', help.t('help.policy.target'))
    .option('--ja4 <fingerprint>', help.t('help.policy.ja4'))
    .option('--json', help.t('help.policy.testJson'))
    .action(async (target: string | undefined, options: { json?: boolean; ja4?: string }) => {
      if (target === undefined && options.ja4 === undefined)
        throw new CliExit(ExitCode.usage, context.text().t('cli.targetOrJa4'));
      const compiled = await currentPolicy(context);
      const results = [];
      if (target !== undefined) {
        const authority = parseAuthority(withDefaultPort(target));
        if (!authority.ok) {
          // English keeps the policy engine's precise sentence; other languages name the reason code.
          const say = context.text();
          const why =
            say.code === 'en' ? authority.message : say.t('cli.badTarget', { reason: authority.reason });
          throw new CliExit(ExitCode.usage, `${target}: ${why}`);
        }
        results.push(compiled.explain(authority.host, authority.port));
      }
      if (options.ja4 !== undefined) results.push(compiled.explainFingerprint(options.ja4));
      if (options.json)
        context.io.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
      else for (const result of results) context.io.stdout.write(`${result.summary}\n`);
      const refused = results.find((result) => !result.decision.allow);
      if (refused) {
        throw new CliExit(
          ExitCode.failure,
          context.text().t('cli.refusedReason', { reason: refused.decision.reason }),
        );
      }
    });

  policy
    .command('audit')
    .description(help.t('help.policy.audit'))
    .option('--json', help.t('help.policy.auditJson'))
    .action(async (options: { json?: boolean }) => {
      const audit = auditPolicy(await currentPolicy(context));
      context.io.stdout.write(
        options.json ? `${JSON.stringify(audit, null, 2)}\n` : formatAudit(audit, context.text()),
      );
      if (audit.findings.length > 0) {
        throw new CliExit(
          ExitCode.failure,
          context.text().t('cli.auditRemaining', {
            count: audit.findings.length,
            narrowable: audit.narrowable,
          }),
        );
      }
    });
}
