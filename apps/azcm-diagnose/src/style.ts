import picocolors from 'picocolors';

/** The colour functions output uses; all identity functions when colour is off. */
export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Decides whether to colour a stream: `NO_COLOR` (any non-empty value) turns colour off, `FORCE_COLOR`
 * (other than `0`/`false`) turns it on, otherwise only a TTY whose `TERM` is not `dumb` gets colour.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colour functions for a stream, following {@link colorEnabled}. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  return picocolors.createColors(colorEnabled(stream, env));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point.
const ansi = /\u001b\[[0-9;]*m/g;

/** Length of a string as the terminal shows it (without colour escapes). */
export function visibleLength(text: string): number {
  return [...text.replace(ansi, '')].length;
}

/** Shortens text to `max` visible characters with an ellipsis (for plain, uncoloured text). */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/**
 * Renders rows as an aligned table with a header line; cells may carry colour escapes. Multi-line cells
 * are not supported: callers keep cells short and print details below the table.
 *
 * @example
 * ```ts
 * renderTable(['HOST', 'RESULT'], [['management.azure.com', 'ok']]);
 * ```
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  colors?: Colors,
): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd();
  const head = line(headers);
  return [colors ? colors.bold(head) : head, ...rows.map(line)].join('\n');
}
