/** The fields of one logrus text-formatter line (`time="..." level=error msg="..." Error="..."`). */
export interface LogrusLine {
  fields: ReadonlyMap<string, string>;
}

function isKeyChar(c: number): boolean {
  // A-Z a-z 0-9 _ . - /
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 46 ||
    c === 45 ||
    c === 47
  );
}

/**
 * Parses a logrus text-formatter line into its key/value pairs, unescaping quoted values. Returns
 * `undefined` unless the whole line is `key=value` pairs and names a `level` or `msg`. One pass over the
 * input, so the cost stays linear however long or malformed the line is.
 */
export function parseLogrusLine(line: string): LogrusLine | undefined {
  const fields = new Map<string, string>();
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i += 1;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && isKeyChar(line.charCodeAt(i))) i += 1;
    if (i === keyStart || line[i] !== '=') return undefined;
    const key = line.slice(keyStart, i);
    i += 1;
    let value: string;
    if (line[i] === '"') {
      i += 1;
      let out = '';
      let chunkStart = i;
      let closed = false;
      while (i < n) {
        const ch = line[i];
        if (ch === '\\' && i + 1 < n) {
          out += line.slice(chunkStart, i);
          const esc = line[i + 1];
          out += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc!;
          i += 2;
          chunkStart = i;
        } else if (ch === '"') {
          out += line.slice(chunkStart, i);
          i += 1;
          closed = true;
          break;
        } else {
          i += 1;
        }
      }
      if (!closed) return undefined;
      value = out;
    } else {
      const valueStart = i;
      while (i < n && line[i] !== ' ' && line[i] !== '\t') i += 1;
      value = line.slice(valueStart, i);
    }
    fields.set(key, value);
  }
  if (!fields.has('level') && !fields.has('msg')) return undefined;
  return { fields };
}

/**
 * The human-readable part of a logrus line: `msg` followed by every other field except `time` and `level`
 * (`Error`, `error`, `err`, ...), joined so that a matcher sees message and error together.
 */
export function logrusText(parsed: LogrusLine): string {
  const parts: string[] = [];
  const msg = parsed.fields.get('msg');
  if (msg) parts.push(msg);
  for (const [key, value] of parsed.fields) {
    if (key === 'msg' || key === 'time' || key === 'level' || value === '') continue;
    parts.push(`${key}=${value}`);
  }
  return parts.join(' | ');
}
