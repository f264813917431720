import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  boundedProcessImage,
  GATEWAY_SEMI_SPACE_MIB,
  isRunCommand,
  minorGcTaskChosen,
  youngGenerationChosen,
} from './young-generation.ts';

const script = fileURLToPath(import.meta.url); // any file that exists
const node = process.execPath; // a binary that can be run

function proc(overrides: Partial<Parameters<typeof boundedProcessImage>[0]> = {}) {
  return {
    execPath: node,
    execArgv: [] as string[],
    argv: [node, script, 'run', '--workers', '1'],
    env: {} as NodeJS.ProcessEnv,
    platform: 'linux' as NodeJS.Platform,
    execve: () => {},
    sea: false,
    ...overrides,
  };
}

describe('youngGenerationChosen', () => {
  it('sees the operator size the young generation in execArgv or NODE_OPTIONS, in either spelling', () => {
    expect(youngGenerationChosen(['--max-semi-space-size=64'])).toBe(true);
    expect(youngGenerationChosen(['--max_semi_space_size=8'])).toBe(true);
    expect(youngGenerationChosen(['--max-semi-space-size', '8'])).toBe(true);
    expect(youngGenerationChosen([], '--enable-source-maps  --max-semi-space-size=32')).toBe(true);
    expect(youngGenerationChosen([], '--max-heap-size=512')).toBe(true);
    expect(youngGenerationChosen(['--single-generation'])).toBe(true);
  });

  it('does not mistake other heap flags or look-alikes for it', () => {
    expect(youngGenerationChosen([])).toBe(false);
    expect(youngGenerationChosen(['--max-old-space-size=512', '--enable-source-maps'])).toBe(false);
    expect(youngGenerationChosen(['--min-semi-space-size=1'])).toBe(false);
    expect(youngGenerationChosen([], '--max-semi-space-size-x=3')).toBe(false);
    expect(youngGenerationChosen([], '')).toBe(false);
  });
});

describe('boundedProcessImage', () => {
  it('runs the same command line again with the semi-space size in front of the Node options', () => {
    const image = boundedProcessImage(proc({ execArgv: ['--enable-source-maps'] }));
    expect(image).toEqual({
      file: node,
      args: [
        node,
        `--max-semi-space-size=${GATEWAY_SEMI_SPACE_MIB}`,
        '--enable-source-maps',
        script,
        'run',
        '--workers',
        '1',
      ],
    });
  });

  it('is a fixed point: the new process does not replace itself again', () => {
    const first = boundedProcessImage(proc()) as { args: string[] };
    const [, ...rest] = first.args;
    const execArgv = rest.slice(0, rest.indexOf(script));
    expect(boundedProcessImage(proc({ execArgv, argv: [node, ...rest.slice(execArgv.length)] }))).toBe(
      undefined,
    );
  });

  it('leaves the process alone: an operator choice, Windows, no execve, a single executable, no script, no runnable Node', () => {
    expect(boundedProcessImage(proc({ execArgv: ['--max-semi-space-size=64'] }))).toBeUndefined();
    expect(boundedProcessImage(proc({ env: { NODE_OPTIONS: '--max-semi-space-size=8' } }))).toBeUndefined();
    expect(boundedProcessImage(proc({ platform: 'win32' }))).toBeUndefined();
    expect(boundedProcessImage(proc({ execve: undefined }))).toBeUndefined();
    expect(boundedProcessImage(proc({ sea: true }))).toBeUndefined();
    // A binary that cannot be run (removed by an upgrade): execve(2) would fail, and Node 24 aborts then.
    expect(boundedProcessImage(proc({ execPath: script }))).toBeUndefined();
    // A single executable application has no script argument to run again.
    expect(boundedProcessImage(proc({ argv: [node] }))).toBeUndefined();
    expect(boundedProcessImage(proc({ argv: [node, 'run', '--workers', '1'] }))).toBeUndefined();
  });

  it('takes the size it is given', () => {
    expect(boundedProcessImage(proc(), 8)?.args[1]).toBe('--max-semi-space-size=8');
  });
});

describe('minorGcTaskChosen', () => {
  it("sees the operator turn V8's scavenge task on or off", () => {
    expect(minorGcTaskChosen(['--minor-gc-task'])).toBe(true);
    expect(minorGcTaskChosen([], '--no-minor-gc-task')).toBe(true);
    expect(minorGcTaskChosen(['--minor_gc_task_trigger=50'])).toBe(false);
    expect(minorGcTaskChosen(['--max-semi-space-size=16'])).toBe(false);
  });
});

describe('isRunCommand', () => {
  it('finds run as the command after global options, and nothing else', () => {
    expect(isRunCommand(['run'])).toBe(true);
    expect(isRunCommand(['run', '--workers', '1', '--config', 'x.json'])).toBe(true);
    expect(isRunCommand(['--config', 'run', 'config', 'get'])).toBe(false);
    expect(isRunCommand(['-c', 'gw.json', 'run'])).toBe(true);
    expect(isRunCommand(['--config=gw.json', 'run'])).toBe(true);
    expect(isRunCommand(['--lang', 'de', 'run', '--workers', '2'])).toBe(true);
    expect(isRunCommand(['--lang=de', 'run'])).toBe(true);
    expect(isRunCommand(['--lang', 'run', 'config', 'get'])).toBe(false);
    expect(isRunCommand(['config', 'set', 'run', '1'])).toBe(false);
    expect(isRunCommand(['--version'])).toBe(false);
    expect(isRunCommand([])).toBe(false);
  });
});
