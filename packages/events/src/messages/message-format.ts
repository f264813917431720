import { parse, type Token } from '@messageformat/parser';

/** Values a message is rendered from, by argument name. */
export type MessageValues = Readonly<Record<string, unknown>>;

/** A message compiled for one locale: call it with the values of its arguments. */
export interface CompiledMessage {
  (values: MessageValues): string;
  /** The source text (ICU MessageFormat). */
  readonly source: string;
}

/**
 * The formatting functions a message may use besides ICU's `plural`, `select` and `number`:
 * `{x, bytes}` (a byte count in B, kB, MB, GB, TB), `{x, ms}` (a duration in milliseconds), `{x, sec}` (a
 * duration in seconds) and `{x, date}` (an ISO time, epoch milliseconds or Date).
 */
export const MESSAGE_FUNCTIONS = ['number', 'bytes', 'ms', 'sec', 'date'] as const;
type MessageFunction = (typeof MESSAGE_FUNCTIONS)[number];

/** Every argument of a message with how it is used: `plain`, a function name, `plural` or `select`. */
export function messageArguments(source: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'content' || token.type === 'octothorpe') continue;
      const use = token.type === 'argument' ? 'plain' : token.type === 'function' ? token.key : token.type;
      const uses = found.get(token.arg) ?? new Set<string>();
      uses.add(use);
      found.set(token.arg, uses);
      if (token.type === 'plural' || token.type === 'select' || token.type === 'selectordinal') {
        for (const branch of token.cases) visit(branch.tokens);
      }
    }
  };
  visit(parseMessage(source));
  return found;
}

/** The case keys of every `select` in a message, by argument (for checking translations against English). */
export function selectKeys(source: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type !== 'plural' && token.type !== 'select' && token.type !== 'selectordinal') continue;
      if (token.type === 'select') {
        const keys = found.get(token.arg) ?? new Set<string>();
        for (const branch of token.cases) keys.add(branch.key);
        found.set(token.arg, keys);
      }
      for (const branch of token.cases) visit(branch.tokens);
    }
  };
  visit(parseMessage(source));
  return found;
}

function parseMessage(source: string): Token[] {
  const tokens = parse(source, { cardinal: [], ordinal: [] });
  const check = (list: readonly Token[]): void => {
    for (const token of list) {
      if (token.type === 'function' && !(MESSAGE_FUNCTIONS as readonly string[]).includes(token.key)) {
        throw new SyntaxError(`unknown message function "${token.key}" in: ${source}`);
      }
      if (token.type === 'plural' || token.type === 'select' || token.type === 'selectordinal') {
        for (const branch of token.cases) check(branch.tokens);
      }
    }
  };
  check(tokens);
  return tokens;
}

/** Shown for a value a caller left out (outside TypeScript), instead of `undefined`. */
const MISSING = '-';

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** The `Intl` formatters of one locale, made once and shared by its messages. */
class LocaleFormatters {
  private readonly cache = new Map<string, { format(value: never): string }>();
  readonly locale: string;
  readonly plural: Intl.PluralRules;

  constructor(locale: string) {
    this.locale = locale;
    this.plural = new Intl.PluralRules(locale);
  }

  private get<F extends { format(value: never): string }>(key: string, make: () => F): F {
    let formatter = this.cache.get(key);
    if (formatter === undefined) {
      formatter = make();
      this.cache.set(key, formatter);
    }
    return formatter as F;
  }

  number(value: number): string {
    return this.get('number', () => new Intl.NumberFormat(this.locale)).format(value);
  }

  private unit(unit: string, value: number, fractionDigits: number): string {
    return this.get(
      `unit:${unit}:${fractionDigits}`,
      () =>
        new Intl.NumberFormat(this.locale, {
          style: 'unit',
          unit,
          unitDisplay: 'short',
          maximumFractionDigits: fractionDigits,
        }),
    ).format(value);
  }

  /** 5120 -> `5.1 kB` (SI units, as `kB` says). */
  bytes(value: number): string {
    let scaled = value;
    let index = 0;
    while (Math.abs(scaled) >= 1000 && index < BYTE_UNITS.length - 1) {
      scaled /= 1000;
      index++;
    }
    return this.unit(BYTE_UNITS[index] as string, scaled, index === 0 ? 0 : 1);
  }

  /**
   * 12 -> `12 ms`, 30500 -> `30.5 sec`, 60000 -> `60 sec`, 150000 -> `2 min, 30 sec` (Intl.DurationFormat
   * where the runtime has it; seconds up to two minutes read better than `1 min, 5 sec`).
   */
  milliseconds(value: number): string {
    if (Math.abs(value) < 1000) return this.unit('millisecond', value, 0);
    if (Math.abs(value) < 120_000) return this.unit('second', value / 1000, 1);
    const DurationFormat = (Intl as { DurationFormat?: DurationFormatConstructor }).DurationFormat;
    if (DurationFormat === undefined || value < 0) return this.unit('second', Math.round(value / 1000), 0);
    const seconds = Math.round(value / 1000);
    const duration = {
      hours: Math.floor(seconds / 3600),
      minutes: Math.floor((seconds % 3600) / 60),
      seconds: seconds % 60,
    };
    return this.get('duration', () => new DurationFormat(this.locale, { style: 'short' })).format(duration);
  }

  date(value: Date): string {
    return this.get(
      'date',
      () => new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'medium' }),
    ).format(value);
  }
}

interface DurationFormatConstructor {
  new (
    locale: string,
    options: { style: 'short' },
  ): { format(duration: { hours: number; minutes: number; seconds: number }): string };
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function plain(value: unknown, formatters: LocaleFormatters): string {
  if (isAbsent(value)) return MISSING;
  if (typeof value === 'number') return formatters.number(value);
  return String(value);
}

function applyFunction(name: MessageFunction, value: unknown, formatters: LocaleFormatters): string {
  if (isAbsent(value)) return MISSING;
  if (name === 'date') {
    const date = value instanceof Date ? value : new Date(value as string | number);
    return Number.isNaN(date.getTime()) ? String(value) : formatters.date(date);
  }
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return String(value);
  switch (name) {
    case 'bytes':
      return formatters.bytes(number);
    case 'ms':
      return formatters.milliseconds(number);
    case 'sec':
      return formatters.milliseconds(number * 1000);
    default:
      return formatters.number(number);
  }
}

function render(
  tokens: readonly Token[],
  values: MessageValues,
  formatters: LocaleFormatters,
  pound: number | undefined,
): string {
  let out = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'content':
        out += token.value;
        break;
      case 'octothorpe':
        out += pound === undefined ? '#' : formatters.number(pound);
        break;
      case 'argument':
        out += plain(values[token.arg], formatters);
        break;
      case 'function':
        out += applyFunction(token.key as MessageFunction, values[token.arg], formatters);
        break;
      case 'select': {
        const value = values[token.arg];
        // `undefined {...}` is the branch for a value that is not there (an optional field). ICU keys cannot
        // hold `-`, so the value `host-not-allowed` selects the case `host_not_allowed`.
        const key = isAbsent(value) ? 'undefined' : String(value).replace(/-/g, '_');
        const branch = token.cases.find((c) => c.key === key) ?? token.cases.find((c) => c.key === 'other');
        if (branch) out += render(branch.tokens, values, formatters, pound);
        break;
      }
      case 'plural':
      case 'selectordinal': {
        const value = Number(values[token.arg]);
        if (!Number.isFinite(value)) {
          out += plain(values[token.arg], formatters);
          break;
        }
        const offset = token.pluralOffset ?? 0;
        const category =
          token.type === 'plural'
            ? formatters.plural.select(value - offset)
            : new Intl.PluralRules(formatters.locale, { type: 'ordinal' }).select(value - offset);
        const branch =
          token.cases.find((c) => c.key === `=${value}`) ??
          token.cases.find((c) => c.key === category) ??
          token.cases.find((c) => c.key === 'other');
        if (branch) out += render(branch.tokens, values, formatters, value - offset);
        break;
      }
    }
  }
  return out;
}

const formattersByLocale = new Map<string, LocaleFormatters>();

/**
 * Compiles an ICU MessageFormat text for `locale`. Plurals use `Intl.PluralRules` (so Polish and Russian get
 * their `few`/`many` forms), numbers `Intl.NumberFormat`; see {@link MESSAGE_FUNCTIONS} for the rest.
 * Throws `SyntaxError` for a malformed text.
 *
 * @example
 * const tunnels = compileMessage('pl', '{n, plural, one {# tunel} few {# tunele} many {# tuneli} other {# tunelu}}');
 * tunnels({ n: 5 }); // '5 tuneli'
 */
export function compileMessage(locale: string, source: string): CompiledMessage {
  const tokens = parseMessage(source);
  let formatters = formattersByLocale.get(locale);
  if (formatters === undefined) {
    formatters = new LocaleFormatters(locale);
    formattersByLocale.set(locale, formatters);
  }
  const shared = formatters;
  const message = (values: MessageValues) => render(tokens, values, shared, undefined);
  return Object.assign(message, { source });
}
