import { formatNetwork, type IpNetwork, parseNetwork } from './ip-network.ts';
import { scanHost } from './normalize-host.ts';

/** A host rule in canonical form. */
export type HostRule =
  | { readonly kind: 'exact'; readonly pattern: string; readonly name: string }
  | { readonly kind: 'wildcard'; readonly pattern: string; readonly suffix: string }
  | {
      readonly kind: 'label-prefix';
      readonly pattern: string;
      readonly prefix: string;
      readonly suffix: string;
    }
  | { readonly kind: 'network'; readonly pattern: string; readonly network: IpNetwork };

/** A rule text that cannot be used, with a stable reason. */
export interface HostRuleRejection {
  readonly ok: false;
  readonly reason: string;
  readonly message: string;
}

/** Result of {@link parseHostRule}. */
export type HostRuleParse = ({ readonly ok: true } & HostRule) | HostRuleRejection;

const NETWORK_MESSAGES: Record<string, string> = {
  'invalid-network': 'not a valid IP address or network',
  'invalid-prefix-length': 'the prefix length is out of range',
  'cidr-host-bits': 'the network has host bits set (write the network address, e.g. 10.0.0.0/8)',
};

function fail(reason: string, message: string): HostRuleRejection {
  return { ok: false, reason, message };
}

function parseName(text: string): string | HostRuleRejection {
  if (text.length === 0) return fail('empty-label', 'the name after the wildcard is empty');
  const scanned = scanHost(text);
  if (typeof scanned === 'string') return scanned;
  if (scanned.ok) return fail('unexpected-ip', 'an IP address cannot follow a wildcard');
  if (scanned.reason === 'wildcard') {
    return fail('invalid-wildcard', 'only the first label of a rule may hold a wildcard');
  }
  return fail(scanned.reason, scanned.message);
}

/**
 * Parses one host rule as an operator writes it in `AllowedHosts` or `DeniedHosts`:
 *
 * - `example.com`: exactly that name (case, one trailing dot and IDNA form do not matter);
 * - `*.example.com`: any name at any depth below `example.com`, never `example.com` itself;
 * - `azgn*.servicebus.windows.net`: one label starting with `azgn` directly below the suffix (the form
 *   Microsoft's Arc documentation uses);
 * - `10.1.2.3`, `2001:db8::1`, `[2001:db8::1]`: that IP literal;
 * - `10.0.0.0/8`, `2001:db8::/32`: any IP literal in that network.
 *
 * Refused: numeric IPv4 forms, IPv4-mapped IPv6, networks with host bits set, a wildcard over a single
 * label (`*.com`) or on its own (`*`), wildcards anywhere else.
 *
 * @example
 * ```ts
 * parseHostRule('*.Example.com'); // { ok: true, kind: 'wildcard', pattern: '*.example.com', suffix: 'example.com' }
 * parseHostRule('*'); // { ok: false, reason: 'wildcard-too-broad', ... }
 * ```
 */
export function parseHostRule(text: string): HostRuleParse {
  if (typeof text !== 'string' || text.length === 0) return fail('empty', 'the rule is empty');
  if (text.includes('/')) {
    const network = parseNetwork(text);
    if (typeof network === 'string') return fail(network, NETWORK_MESSAGES[network]!);
    return { ok: true, kind: 'network', pattern: formatNetwork(network), network };
  }
  if (text.includes('*')) {
    const dot = text.indexOf('.');
    const first = dot === -1 ? text : text.slice(0, dot);
    if (dot === -1 || !first.endsWith('*') || first.indexOf('*') !== first.length - 1) {
      return fail(
        'invalid-wildcard',
        'a wildcard must be the whole first label (*.example.com) or end it (prefix*.example.com)',
      );
    }
    const suffix = parseName(text.slice(dot + 1));
    if (typeof suffix !== 'string') return suffix;
    if (!suffix.includes('.')) {
      return fail('wildcard-too-broad', 'a wildcard must sit below a name of at least two labels');
    }
    if (first === '*') return { ok: true, kind: 'wildcard', pattern: `*.${suffix}`, suffix };
    const prefixText = first.slice(0, -1);
    if (!/^[A-Za-z0-9_-]{1,62}$/.test(prefixText)) {
      return fail('invalid-wildcard', 'the text before * must be the start of a single ASCII label');
    }
    const prefix = prefixText.toLowerCase();
    return { ok: true, kind: 'label-prefix', pattern: `${prefix}*.${suffix}`, prefix, suffix };
  }
  const scanned = scanHost(text);
  if (typeof scanned === 'string') return { ok: true, kind: 'exact', pattern: scanned, name: scanned };
  if (!scanned.ok) return fail(scanned.reason, scanned.message);
  const network = parseNetwork(scanned.host);
  if (typeof network === 'string') return fail(network, NETWORK_MESSAGES[network]!);
  return { ok: true, kind: 'network', pattern: formatNetwork(network), network };
}
