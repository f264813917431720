/**
 * Wide (two-column) characters in a terminal, the East Asian Wide and Fullwidth ranges: Hangul Jamo, CJK
 * radicals, punctuation, kana (with the prolonged sound mark ー, whose script is Common), Han, Yi, Hangul
 * syllables, compatibility ideographs, vertical and full-width forms, and the supplementary ideographs.
 */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** Terminal columns of a text: East Asian wide characters take two, so columns line up in every language. */
export function columns(text: string): number {
  let width = 0;
  for (const character of text) width += WIDE.test(character) ? 2 : 1;
  return width;
}

/** `label:` padded with spaces to `width` columns (at least one space after the colon). */
export function labelColumn(label: string, width: number): string {
  const text = `${label}:`;
  return `${text}${' '.repeat(Math.max(1, width - columns(text)))}`;
}

/** The width that fits every `label:` with one space after it. */
export function labelWidth(labels: readonly string[]): number {
  return Math.max(...labels.map((label) => columns(`${label}:`))) + 1;
}
