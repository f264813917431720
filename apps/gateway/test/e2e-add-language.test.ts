import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram, startGatewayProcess } from './gateway-process.ts';

// Adding a language is adding one file, languages/<tag>.json, and nothing else. This test does exactly that
// in a copy of the workspace: it adds Swedish (sv; the English texts, each marked, which is complete by the
// shape check), runs the two packages' own build scripts, and checks that the built events package, the CLI,
// a running gateway's events and banner, and its status page all speak it.

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const MARK = '[sv] ';

let root = '';

/** Every text of every section of the English file, marked: the language the test adds. */
function swedish(): string {
  const english = JSON.parse(readFileSync(path.join(repo, 'languages/en.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const marked = (section: unknown) =>
    Object.fromEntries(Object.entries(section as Record<string, string>).map(([k, v]) => [k, MARK + v]));
  return JSON.stringify({
    code: 'sv',
    name: 'Svenska',
    zodLocale: 'sv',
    events: marked(english.events),
    gateway: marked(english.gateway),
    statusPage: marked(english.statusPage),
  });
}

/** Copies a package's sources and build files, leaving out what a build writes. */
function copyPackage(from: string, to: string, entries: string[]): void {
  for (const entry of entries) {
    cpSync(path.join(repo, from, entry), path.join(root, to, entry), {
      recursive: true,
      filter: (source) => !source.endsWith('languages.generated.ts'),
    });
  }
}

/** `npm run build` of a package in the copy: its script through the shell, with the workspace's binaries. */
function build(folder: string): void {
  const script = (
    JSON.parse(readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as {
      scripts: { build: string };
    }
  ).scripts.build;
  execFileSync('/bin/sh', ['-c', script], {
    cwd: path.join(root, folder),
    env: {
      ...process.env,
      PATH: [path.join(root, 'node_modules/.bin'), path.dirname(process.execPath), process.env.PATH].join(
        ':',
      ),
    },
    stdio: 'pipe',
    timeout: 50_000,
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { accept: 'text/html' } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'agw-add-language-'));
  // The workspace as a fresh clone has it, plus the one new file.
  cpSync(path.join(repo, 'languages'), path.join(root, 'languages'), { recursive: true });
  writeFileSync(path.join(root, 'languages/sv.json'), swedish());
  cpSync(path.join(repo, 'tools/scripts'), path.join(root, 'tools/scripts'), { recursive: true });
  cpSync(path.join(repo, 'tsconfig.base.json'), path.join(root, 'tsconfig.base.json'));
  copyPackage('packages/events', 'packages/events', [
    'src',
    'package.json',
    'tsup.config.ts',
    'tsconfig.json',
  ]);
  copyPackage('apps/gateway', 'apps/gateway', [
    'src',
    'scripts',
    'bin',
    'package.json',
    'tsup.config.ts',
    'tsconfig.json',
  ]);
  symlinkSync(path.join(repo, 'apps/gateway/node_modules'), path.join(root, 'apps/gateway/node_modules'));
  // Installed dependencies are the workspace's; @agent-gateway/events is the copy being built.
  const modules = path.join(root, 'node_modules');
  mkdirSync(path.join(modules, '@agent-gateway'), { recursive: true });
  for (const entry of readdirSync(path.join(repo, 'node_modules'))) {
    if (entry !== '@agent-gateway' && entry !== 'agent-gateway')
      symlinkSync(path.join(repo, 'node_modules', entry), path.join(modules, entry));
  }
  for (const entry of readdirSync(path.join(repo, 'node_modules/@agent-gateway'))) {
    const target =
      entry === 'events'
        ? path.join(root, 'packages/events')
        : path.join(repo, 'node_modules/@agent-gateway', entry);
    symlinkSync(target, path.join(modules, '@agent-gateway', entry));
  }
  build('packages/events');
  build('apps/gateway');
}, 120_000);

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

describe('a language added as one file', () => {
  it('is in the built events package, matched from its tags, with its messages', async () => {
    const events = (await import(
      path.join(root, 'packages/events/dist/index.js')
    )) as typeof import('@agent-gateway/events');
    expect(events.LANGUAGE_CODES).toContain('sv');
    expect(events.resolveLanguageTag('sv-SE')).toBe('sv');
    const language = events.LANGUAGES['sv' as keyof typeof events.LANGUAGES];
    expect(language.name).toBe('Svenska');
    expect(
      language.messages[105]({ target: 'evil.example.test:443', reason: 'host-not-allowed' } as never),
    ).toBe(`${MARK}Refused CONNECT to evil.example.test:443: host not allowed`);
  });

  it('is offered by the CLI: --lang sv, its errors and its help', async () => {
    const cli = path.join(root, 'apps/gateway/dist/cli.js');
    const missing = await runProgram(
      process.execPath,
      [cli, '--lang', 'sv', 'config', 'validate', 'none.json'],
      {
        cwd: root,
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`agent-gateway: ${MARK}none.json does not exist\n`);
    const refused = await runProgram(process.execPath, [cli, '--lang', 'fi', 'config', 'get'], { cwd: root });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /unsupported language "fi"; supported: en, cs, .*, sv, zh-Hans, zh-Hant\n/,
    );
    const help = await runProgram(process.execPath, [cli, '--lang', 'sv-SE', 'config', '--help'], {
      cwd: root,
    });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`${MARK}Read, change and validate the configuration file`);
    expect(help.stdout).toContain(`${MARK}Options:`);
  });

  it('is spoken by a running gateway with LogLanguage sv: events, banner and status page', async () => {
    const gateway = await startGatewayProcess({
      cli: path.join(root, 'apps/gateway/dist/cli.js'),
      config: { LogLanguage: 'sv', Presets: [], AllowedHosts: ['agent.example.test'] },
      args: ['--workers', '1'],
      startTimeoutMs: 40_000,
    });
    try {
      expect(gateway.events.find((event) => event.id === 101)?.message).toMatch(
        /^\[sv\] Listening on 127\.0\.0\.1:\d+ \(agent-gateway /,
      );
      expect(gateway.stderr).toContain(`${MARK}admin:`);
      const page = await get(`http://127.0.0.1:${gateway.adminPort}/status`);
      expect(page).toContain('<html lang="sv">');
      expect(page).toContain(`<title>${MARK}agent-gateway status</title>`);
    } finally {
      const exit = await gateway.stop();
      expect(exit.code, gateway.log()).toBe(0);
    }
  });
});
