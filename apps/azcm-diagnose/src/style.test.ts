import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';
import { colorEnabled, colorsFor, renderTable, truncate, visibleLength } from './style.ts';

describe('colorEnabled', () => {
  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: true }, { NO_COLOR: '' }, true],
    [{ isTTY: false }, { FORCE_COLOR: '1' }, true],
    [{ isTTY: true }, { FORCE_COLOR: '0' }, false],
    [{ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    [{ isTTY: true }, { TERM: 'dumb' }, false],
  ])('%j with %j -> %s', (stream, env, expected) => {
    expect(colorEnabled(stream, env)).toBe(expected);
  });
});

describe('renderTable', () => {
  it('aligns columns by visible width, colours included', () => {
    const colors = colorsFor({}, { FORCE_COLOR: '1' });
    const table = renderTable(
      ['A', 'BB'],
      [
        [colors.red('long value'), 'x'],
        ['s', 'y'],
      ],
      colors,
    );
    const lines = table.split('\n').map((line) => line.replaceAll('\u001b', '').replace(/\[[0-9;]*m/g, ''));
    expect(lines).toEqual(['A           BB', 'long value  x', 's           y']);
    expect(visibleLength(colors.red('äbc'))).toBe(3);
  });
  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('createProgress', () => {
  const fakeStream = (isTTY: boolean) => {
    const written: string[] = [];
    return {
      written,
      stream: {
        isTTY,
        columns: 30,
        write: (text: string) => written.push(text),
      } as unknown as NodeJS.WriteStream,
    };
  };
  it('rewrites one line on a TTY and clears it at the end', () => {
    const { written, stream } = fakeStream(true);
    const progress = createProgress(stream);
    progress.update('checking 1/3 management.azure.com and a long tail');
    progress.done();
    expect(written[0]?.startsWith('\r\u001b[2K')).toBe(true);
    expect(written[0]!.length).toBeLessThan(40);
    expect(written.at(-1)).toBe('\r\u001b[2K');
  });
  it('writes nothing elsewhere', () => {
    const { written, stream } = fakeStream(false);
    const progress = createProgress(stream);
    progress.update('x');
    progress.done();
    expect(written).toEqual([]);
  });
});
