/**
 * A strict RFC 5424 parser for the tests, written from the ABNF in section 6: it refuses anything the
 * grammar does not allow (unlike lenient receivers), so a message it accepts is one every receiver takes.
 */
export interface ParsedSyslog {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: Array<{ id: string; params: Record<string, string> }>;
  /** MSG without the BOM. */
  message: string;
  bom: boolean;
}

const PRINTUSASCII = /^[\x21-\x7e]+$/;
const SD_NAME = /^[\x21-\x7e]+$/;
const TIMESTAMP =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

function fail(why: string, line: string): never {
  throw new Error(`not RFC 5424 (${why}): ${JSON.stringify(line.slice(0, 200))}`);
}

export function parseRfc5424(input: Uint8Array | string): ParsedSyslog {
  const line = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  const head = /^<(\d{1,3})>([1-9]\d{0,2}) /.exec(line);
  if (!head) fail('PRI VERSION', line);
  const pri = Number(head[1]);
  if (pri > 191 || (head[1]!.length > 1 && head[1]!.startsWith('0'))) fail('PRIVAL', line);
  let rest = line.slice(head[0].length);
  const fields: string[] = [];
  for (let i = 0; i < 5; i++) {
    const space = rest.indexOf(' ');
    if (space <= 0) fail(`header field ${i}`, line);
    fields.push(rest.slice(0, space));
    rest = rest.slice(space + 1);
  }
  const [timestamp, hostname, appName, procId, msgId] = fields as [string, string, string, string, string];
  if (timestamp !== '-' && !TIMESTAMP.test(timestamp)) fail('TIMESTAMP', line);
  const limits: Array<[string, number]> = [
    [hostname, 255],
    [appName, 48],
    [procId, 128],
    [msgId, 32],
  ];
  for (const [value, max] of limits) {
    if (!PRINTUSASCII.test(value) || value.length > max) fail(`header field ${value}`, line);
  }

  const structuredData: ParsedSyslog['structuredData'] = [];
  if (rest.startsWith('-')) {
    rest = rest.slice(1);
  } else {
    if (!rest.startsWith('[')) fail('STRUCTURED-DATA', line);
    while (rest.startsWith('[')) {
      let i = 1;
      let id = '';
      while (i < rest.length && rest[i] !== ' ' && rest[i] !== ']') id += rest[i++];
      if (!SD_NAME.test(id) || /[="\]]/.test(id) || id.length > 32) fail(`SD-ID ${id}`, line);
      const params: Record<string, string> = {};
      while (rest[i] === ' ') {
        i++;
        let name = '';
        while (i < rest.length && rest[i] !== '=') name += rest[i++];
        if (!SD_NAME.test(name) || /[ "\]]/.test(name) || name.length > 32) fail(`PARAM-NAME ${name}`, line);
        if (rest[i] !== '=' || rest[i + 1] !== '"') fail('PARAM =', line);
        i += 2;
        let value = '';
        for (;;) {
          const c = rest[i];
          if (c === undefined) fail('unterminated PARAM-VALUE', line);
          if (c === '\\' && (rest[i + 1] === '"' || rest[i + 1] === '\\' || rest[i + 1] === ']')) {
            value += rest[i + 1];
            i += 2;
            continue;
          }
          if (c === '"') break;
          if (c === ']') fail('unescaped ] in PARAM-VALUE', line);
          value += c;
          i++;
        }
        i++;
        // An own property even for a field named `__proto__` (an assignment would set the prototype).
        Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
      }
      if (rest[i] !== ']') fail('SD-ELEMENT end', line);
      structuredData.push({ id, params });
      rest = rest.slice(i + 1);
    }
  }
  let message = '';
  let bom = false;
  if (rest.length > 0) {
    if (!rest.startsWith(' ')) fail('SP before MSG', line);
    message = rest.slice(1);
    if (message.startsWith('\uFEFF')) {
      bom = true;
      message = message.slice(1);
    }
  }
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: Number(head[2]),
    timestamp,
    hostname,
    appName,
    procId,
    msgId,
    structuredData,
    message,
    bom,
  };
}
