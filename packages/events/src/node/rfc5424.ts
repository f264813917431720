import type { EventLevel } from '../catalog.ts';
import type { EventRecord } from '../event-record.ts';

/** Syslog facilities by name (RFC 5424 section 6.2.1). */
export const SYSLOG_FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

/** A facility name of {@link SYSLOG_FACILITIES}. */
export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

/** Severity per level: debug 7, info 6, warning 4, error 3. */
export const SYSLOG_SEVERITY: Readonly<Record<EventLevel, number>> = { debug: 7, info: 6, warn: 4, error: 3 };

/** Header fields of {@link formatRfc5424}. */
export interface Rfc5424Options {
  facility?: SyslogFacility;
  /** HOSTNAME [`-`]; non-printable characters become `-`. */
  hostname?: string;
  /** APP-NAME [`agent-gateway`]. */
  appName?: string;
  /** PROCID [`-`]. */
  procId?: string | number;
  /** The private enterprise number in the SD-ID `agw@N` [32473, the documentation number of RFC 5612]. */
  enterpriseId?: number;
  /** Start MSG with a UTF-8 BOM, marking it as UTF-8 as RFC 5424 asks [true]. */
  bom?: boolean;
  /** Cut the message to this many bytes in all, at a character boundary [no limit]. */
  maxBytes?: number;
}

const BOM = '\uFEFF';
const encoder = new TextEncoder();

/** PRINTUSASCII (33-126) only, at most `max` characters; empty becomes NILVALUE. */
function headerField(value: string | number | undefined, max: number): string {
  const text = String(value ?? '')
    .replace(/[^\x21-\x7e]/g, '-')
    .slice(0, max);
  return text === '' ? '-' : text;
}

/** SD-NAME: PRINTUSASCII except `=`, space, `]` and `"`, 1-32 characters. */
function sdName(name: string): string {
  const text = name.replace(/[^\x21-\x7e]|[=\]"]/g, '_').slice(0, 32);
  return text === '' ? '_' : text;
}

/** One line, whatever the value held: control characters (line breaks included) become spaces. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}

/** PARAM-VALUE: `"`, `\` and `]` escaped with a backslash (RFC 5424 section 6.3.3). */
function paramValue(value: unknown): string {
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return oneLine(text).replace(/["\\\]]/g, '\\$&');
}

/** Cuts UTF-8 bytes to at most `max` without splitting a character. */
function cutUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/**
 * Formats one event as an RFC 5424 syslog message:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [agw@32473 id="105" client="…" …] BOM message`.
 * MSGID is the event name; the fields are structured data, so receivers can filter on them.
 */
export function formatRfc5424(record: EventRecord, options: Rfc5424Options = {}): Uint8Array {
  const facility = SYSLOG_FACILITIES[options.facility ?? 'daemon'];
  const pri = facility * 8 + SYSLOG_SEVERITY[record.level];
  const header =
    `<${pri}>1 ${record.time} ${headerField(options.hostname, 255)} ` +
    `${headerField(options.appName ?? 'agent-gateway', 48)} ${headerField(options.procId, 128)} ` +
    `${headerField(record.name, 32)}`;
  let params = ` id="${record.id}"`;
  for (const key of Object.keys(record)) {
    if (key === 'time' || key === 'level' || key === 'id' || key === 'name' || key === 'message') continue;
    const value = record[key];
    if (value === undefined) continue;
    params += ` ${sdName(key)}="${paramValue(value)}"`;
  }
  const sd = `[agw@${options.enterpriseId ?? 32473}${params}]`;
  const message = ((options.bom ?? true) ? BOM : '') + oneLine(record.message);
  const head = encoder.encode(`${header} ${sd} `);
  const body = encoder.encode(message);
  const max = options.maxBytes;
  if (max === undefined || head.length + body.length <= max) return concat(head, body);
  if (head.length < max) return concat(head, cutUtf8(body, max - head.length));
  // Structured data alone is too long: keep the header and the ID, cut the message.
  const small = encoder.encode(`${header} [agw@${options.enterpriseId ?? 32473} id="${record.id}"] `);
  return concat(small, cutUtf8(body, Math.max(0, max - small.length)));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
