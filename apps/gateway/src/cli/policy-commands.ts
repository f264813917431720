import { isIP } from 'node:net';
import { parseAuthority } from '@agent-gateway/policy';
import type { Command } from 'commander';
import { defaultConfig, readConfigFile } from '../config/index.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';

/** `host` -> `host:443`, a bare IPv6 address -> `[v6]:443`; anything with a port is left to the parser. */
function withDefaultPort(target: string): string {
  if (isIP(target) === 6) return `[${target}]:443`;
  if (target.startsWith('[') ? target.endsWith(']') : !target.includes(':')) return `${target}:443`;
  return target;
}

export function registerPolicyCommands(program: Command, context: CliContext): void {
  const policy = program.command('policy').description('Ask the configured policy about a target');

  policy
    .command('test')
    .description(
      'Which rule or preset decides about HOST[:PORT] (port 443 if left out), and why; exit 0 allowed, 1 refused',
    )
    .argument('<target>', 'host name, IP address or [IPv6]:port, optionally with :PORT')
    .option('--json', 'print the explanation as JSON')
    .action(async (target: string, options: { json?: boolean }) => {
      const loaded = await readConfigFile(context.configFile(), { language: context.language() });
      const config = loaded?.config ?? defaultConfig();
      const authority = parseAuthority(withDefaultPort(target));
      if (!authority.ok) {
        // English keeps the policy engine's precise sentence; other languages name the reason code.
        const say = context.text();
        const why =
          say.code === 'en' ? authority.message : say.t('cli.badTarget', { reason: authority.reason });
        throw new CliExit(ExitCode.usage, `${target}: ${why}`);
      }
      const explanation = compileGatewayPolicy(config).explain(authority.host, authority.port);
      if (options.json) context.io.stdout.write(`${JSON.stringify(explanation, null, 2)}\n`);
      else context.io.stdout.write(`${explanation.summary}\n`);
      if (!explanation.decision.allow)
        throw new CliExit(
          ExitCode.failure,
          context.text().t('cli.refusedReason', { reason: explanation.decision.reason }),
        );
    });
}
