import { accessSync, constants, existsSync } from 'node:fs';
import * as v8 from 'node:v8';

/**
 * The semi-space size (MiB) that `agent-gateway run` gives V8's young generation, which holds two of them.
 *
 * Node 24's V8 sizes semi-spaces by the machine's memory: with 16 GiB or more each may grow to 64 MiB, a
 * young generation of 128 MiB, reserved within seconds under load although a gateway keeps little alive
 * (about 22 MiB of live heap, a few KiB more per open tunnel). And it seldom fills: V8 scavenges once it is
 * 80 % full (see {@link scavengeOnlyWhenFull}), or empties it with a mark-compact when the old-generation
 * limit, which also counts the tunnels' socket buffers outside the heap, comes first. Only when a busy moment
 * delays both does allocation run deeper, touching the last pages for the first time: RSS crept from
 * 217 MiB at 100,000 set-ups to 278 MiB at 470,000 in the soak benchmark, with the heap total unchanged.
 * Sixteen MiB (a young generation of 32 MiB, Node's default on 64-bit machines before version 20) is used
 * whole within the first few thousand set-ups, keeps RSS about 90 MiB lower, and costs the same CPU per
 * set-up (BENCHMARKS.md, "Soak").
 */
export const GATEWAY_SEMI_SPACE_MIB = 16;

/** V8 flags with which the operator has already chosen the young generation's size (we then keep out). */
const YOUNG_GENERATION_FLAGS =
  /^--(max[-_]semi[-_]space[-_]size|max[-_]heap[-_]size|single[-_]generation)(=|$)/;
/** ... or its scavenge task, on or off. */
const MINOR_GC_TASK_FLAGS = /^--(no[-_])?minor[-_]gc[-_]task(=|$)/;

/** The process's `execArgv`, then `NODE_OPTIONS` split at white space. */
function nodeOptionList(execArgv: readonly string[], nodeOptions = ''): string[] {
  return [...execArgv, ...nodeOptions.split(/\s+/)];
}

/** Whether these Node options already decide the young generation's size. */
export function youngGenerationChosen(execArgv: readonly string[], nodeOptions?: string): boolean {
  return nodeOptionList(execArgv, nodeOptions).some((option) => YOUNG_GENERATION_FLAGS.test(option));
}

/** Whether these Node options already turn V8's scavenge task on or off. */
export function minorGcTaskChosen(execArgv: readonly string[], nodeOptions?: string): boolean {
  return nodeOptionList(execArgv, nodeOptions).some((option) => MINOR_GC_TASK_FLAGS.test(option));
}

/** The program's global options that take a value as the next argument (see `cli/program.ts`). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-c', '--config', '--lang']);

/**
 * Whether these command-line arguments (after `node SCRIPT`) run the `run` command: its name is the first
 * argument that is not an option, skipping the value of a global option that takes one (`-c`, `--config`,
 * `--lang`). Lets the executable bound the young generation, and a worker skip the CLI, before the CLI's
 * modules load.
 */
export function isRunCommand(args: readonly string[]): boolean {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) index += 1;
    else if (!arg.startsWith('-')) return arg === 'run';
  }
  return false;
}

/** What {@link boundYoungGeneration} may replace the process with: `process.execve`'s arguments. */
export interface ProcessImage {
  file: string;
  args: string[];
}

/** What {@link boundedProcessImage} looks at: the process, and whether it is a single executable application. */
export type ProcessFacts = Pick<NodeJS.Process, 'execPath' | 'execArgv' | 'argv' | 'env' | 'platform'> & {
  execve?: unknown;
  sea: boolean;
};

/**
 * The command line this process would run again with the gateway's young generation, or `undefined` when it
 * must run as it is: the operator chose a size (a flag or `NODE_OPTIONS`), the platform cannot replace a
 * process image (Windows, Node before 22.15), or the process is not `node SCRIPT` (a single executable
 * application takes no Node flags on its command line).
 */
export function boundedProcessImage(
  proc: ProcessFacts,
  semiSpaceMiB = GATEWAY_SEMI_SPACE_MIB,
): ProcessImage | undefined {
  if (proc.platform === 'win32' || typeof proc.execve !== 'function' || proc.sea) return undefined;
  if (youngGenerationChosen(proc.execArgv, proc.env.NODE_OPTIONS)) return undefined;
  const script = proc.argv[1];
  if (script === undefined || !existsSync(script)) return undefined;
  // Node 24 aborts the process when execve(2) fails: only try a binary that can be run.
  try {
    accessSync(proc.execPath, constants.X_OK);
  } catch {
    return undefined;
  }
  return {
    file: proc.execPath,
    args: [proc.execPath, `--max-semi-space-size=${semiSpaceMiB}`, ...proc.execArgv, ...proc.argv.slice(1)],
  };
}

/**
 * Lets V8 scavenge only when the young generation is full. By default it also schedules a scavenge as a task
 * once the young generation is 80 % full (`--minor-gc-task`); when that task runs early, the last fifth of
 * the young generation stays untouched until a busy moment delays it, and becomes resident then (about
 * 5 MiB late in a 300,000 set-up soak with the 32 MiB young generation). Scavenging when full uses every page
 * from the first cycles on, for the same work per cycle. V8 reads this flag at run time.
 */
export function scavengeOnlyWhenFull(): void {
  if (minorGcTaskChosen(process.execArgv, process.env.NODE_OPTIONS)) return;
  v8.setFlagsFromString('--no-minor-gc-task');
}

/**
 * Whether this process is a single executable application. `node:sea` is asked at run time: it exists only
 * under its `node:` name, which the bundle would drop from a static import.
 */
function isSingleExecutable(): boolean {
  return process.getBuiltinModule?.('node:sea')?.isSea() ?? false;
}

/**
 * Gives the gateway's young generation its size ({@link GATEWAY_SEMI_SPACE_MIB}) before it starts serving:
 * V8 fixes the size when the process starts and ignores `v8.setFlagsFromString` later, so the process
 * replaces itself (`execve`: the same PID, environment and standard streams; nothing else is open yet) with
 * the same command line plus `--max-semi-space-size`. Workers forked by the primary inherit the flag. Returns
 * only when nothing is to be done (see {@link boundedProcessImage}).
 */
export function boundYoungGeneration(): void {
  const image = boundedProcessImage({
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    env: process.env,
    platform: process.platform,
    execve: process.execve,
    sea: isSingleExecutable(),
  });
  if (image === undefined) return;
  process.execve?.(image.file, image.args, process.env);
}
