import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { repositoryRoot } from '../src/layout.ts';
import { type ProgramResult, runProgram } from './support.ts';

/** A command run in the fresh clone, with how long it took. */
export type TimedResult = ProgramResult & { seconds: number };

/** The fresh clone the README's set-up steps ran in, and what the slow first steps did. */
export interface FreshClone {
  dir: string;
  /** The environment of a user's shell: see {@link userEnvironment}. */
  env: Record<string, string>;
  /** `git clone` of this repository's HEAD. */
  clone: TimedResult;
  /** `npm install --prefer-offline` */
  install: TimedResult;
  /** The first `npx agent-gateway --version`: the launcher builds the CLI. */
  firstAgentGateway: TimedResult;
  /** The first `npx azcm-diagnose --version`: the launcher builds that CLI. */
  firstAzcmDiagnose: TimedResult;
}

/**
 * The environment of a user's shell: PATH without any node_modules/.bin (this test runs under npm and turbo,
 * the user's shell does not), HOME, and the user's npm cache and registry settings if any. Nothing of the
 * npm run that started the tests (npm_command, npm_package_*, INIT_CWD, turbo's variables) leaks in.
 */
export function userEnvironment(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: (process.env.PATH ?? '/usr/bin:/bin')
      .split(path.delimiter)
      .filter((dir) => !dir.split(path.sep).includes('node_modules'))
      .join(path.delimiter),
    HOME: process.env.HOME ?? os.homedir(),
  };
  for (const name of ['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

async function timed(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<TimedResult> {
  const started = performance.now();
  const result = await runProgram(command, args, options);
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/**
 * Does the slow half of the README's set-up once per test run, in a temporary directory: `git clone` of this
 * repository (its HEAD commit: uncommitted changes are not in a clone), `npm install --prefer-offline` (the
 * packages come from npm's cache, which the repository's own `npm install` filled; about 40 s), and the
 * first `npx agent-gateway` and `npx azcm-diagnose`, which build their workspaces (about a minute each on a
 * loaded machine). Each step runs only if the one before succeeded; the tests check every result.
 */
export async function prepareFreshClone(): Promise<FreshClone> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'agent-gateway-clone-'));
  const dir = path.join(parent, 'agent-gateway');
  const env = userEnvironment();
  const skipped: TimedResult = { code: null, signal: null, stdout: '', stderr: 'not run', seconds: 0 };
  const clone = await timed('git', ['clone', '--quiet', repositoryRoot, dir], {
    cwd: parent,
    env,
    timeoutMs: 120_000,
  });
  const install =
    clone.code === 0
      ? await timed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
          cwd: dir,
          env,
          timeoutMs: 600_000,
        })
      : skipped;
  const firstAgentGateway =
    install.code === 0
      ? await timed('npx', ['agent-gateway', '--version'], { cwd: dir, env, timeoutMs: 600_000 })
      : skipped;
  const firstAzcmDiagnose =
    install.code === 0
      ? await timed('npx', ['azcm-diagnose', '--version'], { cwd: dir, env, timeoutMs: 600_000 })
      : skipped;
  return { dir, env, clone, install, firstAgentGateway, firstAzcmDiagnose };
}
