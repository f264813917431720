import * as http from 'node:http';
import type { Command } from 'commander';
import { formatMessage, statusMessages } from '../admin/status-page/messages/index.ts';
import { defaultConfig, readConfigFile } from '../config/index.ts';
import { parseAdminListen } from '../runtime/gateway-admin.ts';
import type { StatusData } from '../status/status-data.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';
import { renderStatusText } from './status-text.ts';

/** Where the admin listener of the configured gateway answers (a wildcard address is asked on loopback). */
export function adminUrl(adminListen: string): URL {
  const { host, port } = parseAdminListen(adminListen);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return new URL(`http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`);
}

/** GET `/api/status` with the token; resolves with the HTTP status and body, rejects on a socket error. */
function fetchStatus(url: URL, token: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      new URL('/api/status', url),
      {
        headers: {
          accept: 'application/json',
          ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
  });
}

/**
 * `agent-gateway status [--json] [--watch [SECONDS]]`: what `/status` shows, in the terminal. The address
 * and the token come from the configuration file (`AdminListen`, `AdminToken`; the environment variable
 * `AGENT_GATEWAY_ADMIN_TOKEN` wins), the language from `LogLanguage`.
 */
export function registerStatusCommand(program: Command, context: CliContext): void {
  program
    .command('status')
    .description(context.help.t('help.status'))
    .option('--json', context.help.t('help.status.json'))
    .option('--watch [seconds]', context.help.t('help.status.watch'))
    .action(async (options: { json?: boolean; watch?: boolean | string }) => {
      const file = context.configFile();
      const language = context.language();
      const config = (await readConfigFile(file, { language }))?.config ?? defaultConfig();
      const messages = statusMessages(language ?? config.LogLanguage);
      const url = adminUrl(config.AdminListen);
      const token = context.io.env.AGENT_GATEWAY_ADMIN_TOKEN || config.AdminToken;
      const shown = url.origin;
      let interval = 0;
      if (options.watch !== undefined && options.watch !== false) {
        interval = options.watch === true ? 2 : Number(options.watch);
        if (!Number.isFinite(interval) || interval < 0.5 || interval > 3600)
          throw new CliExit(ExitCode.usage, context.text().t('cli.watch', { value: String(options.watch) }));
      }
      const once = async (): Promise<StatusData> => {
        let answer: { status: number; body: string };
        try {
          answer = await fetchStatus(url, token, 5000);
        } catch (error) {
          const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          throw new CliExit(
            ExitCode.failure,
            formatMessage(messages['cli.notRunning'], { url: shown, reason, file }),
          );
        }
        if (answer.status === 401)
          throw new CliExit(
            ExitCode.failure,
            formatMessage(messages['cli.unauthorized'], { url: shown, file }),
          );
        if (answer.status === 403)
          throw new CliExit(
            ExitCode.failure,
            formatMessage(messages['cli.forbidden'], { url: shown, detail: answer.body.trim() }),
          );
        if (answer.status !== 200)
          throw new CliExit(
            ExitCode.failure,
            formatMessage(messages['cli.badAnswer'], {
              url: shown,
              status: answer.status,
              detail: answer.body.trim().slice(0, 200),
            }),
          );
        try {
          return JSON.parse(answer.body) as StatusData;
        } catch {
          throw new CliExit(
            ExitCode.failure,
            formatMessage(messages['cli.badAnswer'], { url: shown, status: 200, detail: 'not JSON' }),
          );
        }
      };
      const print = (data: StatusData) =>
        context.io.stdout.write(
          options.json ? `${JSON.stringify(data)}\n` : renderStatusText(data, messages, shown),
        );
      if (interval === 0) {
        print(await once());
        return;
      }
      const clear = (context.io.stdout as { isTTY?: boolean }).isTTY === true && !options.json;
      await new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const stop = () => {
          clearTimeout(timer);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const tick = async () => {
          try {
            const data = await once();
            if (clear) context.io.stdout.write('\x1b[2J\x1b[H');
            print(data);
            if (!options.json)
              context.io.stdout.write(
                `\n${formatMessage(messages['cli.watching'], { seconds: interval })}\n`,
              );
          } catch (error) {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            reject(error);
            return;
          }
          timer = setTimeout(tick, interval * 1000);
        };
        void tick();
      });
    });
}
