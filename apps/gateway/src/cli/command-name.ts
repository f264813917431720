import { realpathSync } from 'node:fs';
import * as path from 'node:path';

/** How this process was started, as {@link commandName} needs it. */
export interface Invocation {
  /** `npm_command` from the environment: set when npm started the process (`npm start`, `npx`). */
  npmCommand: string | undefined;
  /** The executable or script as it was typed: `argv[0]` of a single executable, else the script's path. */
  invokedAs: string;
  /** True for a single executable application (the program is the executable itself). */
  singleExecutable: boolean;
  /** `PATH` of the environment. */
  pathVariable: string | undefined;
  /** The real path of a file, or undefined when there is none (a seam for tests). */
  realPath(file: string): string | undefined;
}

/**
 * The command a person types to run this CLI again from where they started it, for the lines that say
 * "run `agent-gateway allowed-host add HOST`": `npx agent-gateway` when npm started it (a clone of the
 * repository, `npm start` or `npx`), the bare name when that name on `PATH` is this very program (the
 * Debian package, `npm install --global`, the single executable copied to a `bin` directory), else the path
 * it was started by (a single executable run as `./agent-gateway-linux-x64`).
 */
export function commandName(invocation: Invocation, name = 'agent-gateway'): string {
  if (invocation.npmCommand) return `npx ${name}`;
  const { invokedAs } = invocation;
  const base = path.basename(invokedAs);
  const self = invocation.realPath(invokedAs);
  // What typing the bare name runs: the first file of that name on PATH.
  const first = (invocation.pathVariable ?? '')
    .split(path.delimiter)
    .filter((dir) => path.isAbsolute(dir))
    .map((dir) => invocation.realPath(path.join(dir, base)))
    .find((found) => found !== undefined);
  if (self !== undefined && first === self) return base;
  if (invocation.singleExecutable) return invokedAs;
  return self === undefined ? name : `node ${invokedAs}`;
}

/** {@link Invocation} of the running process. */
export function currentInvocation(env: NodeJS.ProcessEnv = process.env): Invocation {
  // node:sea through getBuiltinModule: bundlers strip the node: prefix of a static import, and `sea` alone
  // is not a module (node:sea exists only with the prefix).
  const singleExecutable = process.getBuiltinModule('node:sea')?.isSea() ?? false;
  return {
    npmCommand: env.npm_command,
    // In a single executable argv[1] repeats argv[0] as typed; for a script it is the script's path.
    invokedAs: (singleExecutable ? process.argv0 : process.argv[1]) ?? 'agent-gateway',
    singleExecutable,
    pathVariable: env.PATH,
    realPath(file) {
      try {
        return realpathSync(file);
      } catch {
        return undefined;
      }
    },
  };
}
