/*
 * Text that went through the wrong code page on its way from a Windows machine into a paste:
 *
 * - UTF-8 bytes shown as Windows-1252 ("VerbindungsversuchÃ¼" for "ü") or as the console's OEM code page 850
 *   ("├╝" for "ü");
 * - bytes of a legacy code page widened to 16 bits with sign extension, so byte 0x8B becomes U+FF8B (what a
 *   C++ logger that copies `char` into `wchar_t` does; Japanese CP932 text then looks like "ﾋﾟﾋﾋﾂﾳ");
 * - the reverse, legacy bytes read as UTF-8, which loses the bytes and can only be undone while the bytes are
 *   still at hand: {@link decodeWindowsBytes}.
 *
 * Repairs apply to runs of suspicious characters only, and only when the re-decoded run is valid, so correct
 * text (box drawing, real accented letters) stays as it is.
 */

// Windows-1252 0x80-0x9F; the rest of 0xA0-0xFF is Latin-1.
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
// OEM code page 850, 0x80-0xFF.
const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00AD±‗¾¶§÷¸°¨·¹³²■\u00A0';

function reverseTable(high: string, latin1Tail: boolean): ReadonlyMap<string, number> {
  const map = new Map<string, number>();
  [...high].forEach((ch, i) => {
    map.set(ch, 0x80 + i);
  });
  if (latin1Tail) for (let b = 0xa0; b <= 0xff; b += 1) map.set(String.fromCharCode(b), b);
  return map;
}

const CP1252_BYTES = reverseTable(CP1252_HIGH, true);
const CP850_BYTES = reverseTable(CP850_HIGH, false);

function decodeStrict(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined; // invalid in that encoding, or the runtime lacks it
  }
}

function encodeWith(run: string, table: ReadonlyMap<string, number>): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const ch of run) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) bytes.push(code);
    else {
      const b = table.get(ch);
      if (b === undefined) return undefined;
      bytes.push(b);
    }
  }
  return Uint8Array.from(bytes);
}

// A run that starts with a character that can be a UTF-8 lead byte in either table and goes on with
// non-ASCII characters: at most 64 characters, so the scan stays linear.
const CP1252_RUN =
  /[\u00C2-\u00F4][\u0080-\u00FF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013\u2014\u2018-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u20AC\u2122]{1,63}/g;
const CP850_RUN = /[\u0080-\u00FF\u0131\u0192\u2017\u2500-\u25A0]{2,64}/g;
// Sign-extended bytes 0x80-0xFF are U+FF80-U+FFFF; ASCII may sit between them ("ﾃtﾃ@").
// The ASCII character after the last one can be the trail byte of a double-byte character ("ﾁB" is "。").
const SIGN_EXTENDED_RUN =
  /[\uFF80-\uFFFF](?:[\uFF80-\uFFFF\u0020-\u007E]{0,255}[\uFF80-\uFFFF])?[\u0021-\u007E]?/g;

/** True when every high byte reads as a Windows-1252 letter next to an ASCII letter ("f\xFCr" is "für"). */
function plausibleCp1252(bytes: Uint8Array): boolean {
  const isAsciiLetter = (b: number | undefined) =>
    b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i] as number;
    if (b < 0x80) continue;
    if (b < 0xc0 || b === 0xd7 || b === 0xf7) return false;
    if (!isAsciiLetter(bytes[i - 1]) && !isAsciiLetter(bytes[i + 1])) return false;
  }
  return true;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

function repairUtf8Runs(text: string, pattern: RegExp, table: ReadonlyMap<string, number>): string {
  return text.replace(pattern, (run) => {
    const bytes = encodeWith(run, table);
    if (!bytes) return run;
    const decoded = decodeStrict(bytes, 'utf-8');
    // Only a decode that yields fewer, real characters is a repair.
    return decoded !== undefined && decoded.length < run.length && hasNonAscii(decoded) ? decoded : run;
  });
}

function repairSignExtended(text: string): string {
  return text.replace(SIGN_EXTENDED_RUN, (run) => {
    const bytes = Uint8Array.from([...run].map((ch) => ch.charCodeAt(0) & 0xff));
    let high = 0;
    for (const ch of run) if (ch.charCodeAt(0) >= 0xff80) high += 1;
    const latin = plausibleCp1252(bytes);
    // One lone full-width character is more likely meant than a Japanese byte pair.
    if (high < 2 && !latin) return run;
    const order = latin ? ['utf-8', 'windows-1252'] : ['utf-8', 'shift_jis'];
    for (const encoding of order) {
      const decoded = decodeStrict(bytes, encoding);
      if (decoded !== undefined && !decoded.includes('\uFFFD')) return decoded;
    }
    return run;
  });
}

/**
 * Repairs the common code-page mix-ups of text from Windows machines (see the module comment): UTF-8 shown
 * as Windows-1252 or as OEM 850, and sign-extended legacy bytes. Text without such runs is returned as is.
 *
 * @example
 * ```ts
 * repairMojibake('Verbindung wurde vom Remotehost geschlossenÃ¤'); // '...geschlossenä'
 * ```
 */
export function repairMojibake(text: string): string {
  if (typeof text !== 'string' || !hasNonAscii(text)) return text;
  let out = text;
  if (/[\uFF80-\uFFFF]/.test(out)) out = repairSignExtended(out);
  if (/[\u00C2-\u00F4]/.test(out)) out = repairUtf8Runs(out, CP1252_RUN, CP1252_BYTES);
  if (/[\u2500-\u25A0]/.test(out)) out = repairUtf8Runs(out, CP850_RUN, CP850_BYTES);
  return out;
}

// Letters that are common in German, French and Spanish Windows messages, by byte, in each code page.
const CP1252_LETTERS = new Set([
  0xe4, 0xf6, 0xfc, 0xc4, 0xd6, 0xdc, 0xdf, 0xe9, 0xe8, 0xea, 0xe0, 0xe7, 0xf4, 0xf3, 0xed, 0xe1, 0xf1, 0xfa,
]);
const CP850_LETTERS = new Set([
  0x84, 0x94, 0x81, 0x8e, 0x99, 0x9a, 0xe1, 0x82, 0x8a, 0x88, 0x85, 0x87, 0x93, 0xa2, 0xa1, 0xa0, 0xa4, 0xa3,
]);

/**
 * Decodes bytes that are not valid UTF-8 as the Windows code page they most likely are: Windows-1252 (what
 * GUI programs and PowerShell write to files) or OEM 850 (what console programs write when their output is
 * redirected), chosen by which one turns the high bytes into common letters. Valid UTF-8 is decoded as UTF-8.
 */
export function decodeWindowsBytes(bytes: Uint8Array): string {
  const utf8 = decodeStrict(bytes, 'utf-8');
  if (utf8 !== undefined) return utf8;
  let cp1252 = 0;
  let cp850 = 0;
  for (const b of bytes) {
    if (b < 0x80) continue;
    if (CP1252_LETTERS.has(b)) cp1252 += 1;
    if (CP850_LETTERS.has(b)) cp850 += 1;
  }
  if (cp850 > cp1252) {
    let out = '';
    for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP850_HIGH[b - 0x80];
    return out;
  }
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}
