import { HASH_MULTIPLIER, HASH_POWERS, scanHost, scanState } from './normalize-host.ts';

/**
 * A reversed-label trie over host names, stored flat: each node is keyed by the suffix it stands for
 * (`com`, `example.com`, `www.example.com`) in one open-addressing hash table. The hashes of all suffixes
 * of an asked name fall out of the one pass `scanHost` makes to validate it (a polynomial hash: the hash of
 * a suffix is the whole name's hash minus its prefix's, scaled). A lookup then probes one slot per label
 * from the right, allocates nothing, touches node objects and compares strings only where a node carries a
 * rule (or shares its hash with another), and stops at the first suffix no rule mentions: its cost depends
 * on the host, never on the number of rules.
 *
 * Each node can hold an exact rule, a wildcard rule (`*.` below it) and label-prefix rules (`azgn*.` below
 * it), each for the allow side and the deny side. Rules are added first; {@link HostTrie.freeze} then lays
 * the table out for lookups.
 */

interface PrefixEntry<T> {
  readonly prefix: string;
  readonly value: T;
}

interface TrieNode<T> {
  suffix: string;
  readonly hash: number;
  exactAllow: T | undefined;
  exactDeny: T | undefined;
  wildcardAllow: T | undefined;
  wildcardDeny: T | undefined;
  prefixes: [PrefixEntry<T>[], PrefixEntry<T>[]] | undefined;
  hasRule: boolean;
}

/** Which side a rule is on. 0 = allow, 1 = deny. */
export type TrieSide = 0 | 1;

const VERIFY = 1;
const HAS_RULE = 2;

/** Horner hash of a whole string, as `scanHost` computes it. */
function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, HASH_MULTIPLIER) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * A copy of a string in one flat piece. Suffixes are slices of rule texts, and rule texts may be
 * concatenations; V8 keeps both as pointers into other strings, which costs a cache miss per comparison.
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * True when `name` ends with `suffix`, which starts at `start` and has the remaining length (checked by the
 * caller). Plain comparisons: measured several times faster here than `startsWith(suffix, position)`.
 */
function endsWith(name: string, suffix: string, start: number): boolean {
  if (start === 0) return name === suffix;
  for (let i = suffix.length - 1, j = name.length - 1; i >= 0; i--, j--) {
    if (name.charCodeAt(j) !== suffix.charCodeAt(i)) return false;
  }
  return true;
}

function slotOf(hash: number, bits: number): number {
  return Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> (32 - bits);
}

/** Host-name matcher over allow and deny rules; names must already be normalized. */
export class HostTrie<T> {
  private readonly nodes = new Map<string, TrieNode<T>>();
  private bits = 1;
  /** Pairs per slot, side by side so one probe touches one cache line: hash, then meta (0 = empty, else
   * (suffix length << 2) | VERIFY | HAS_RULE). */
  private slotData = new Int32Array(4);
  private slotNode: (TrieNode<T> | undefined)[] = [undefined, undefined];
  /** The most specific allow rule found by the last lookup. */
  allowHit: T | undefined = undefined;
  /** The most specific deny rule found by the last lookup. */
  denyHit: T | undefined = undefined;

  /** The node for `name`, creating it and every missing node for its shorter suffixes. */
  private nodeFor(name: string): TrieNode<T> {
    // From the full name rightwards: once a suffix exists, all shorter ones exist too.
    let target: TrieNode<T> | undefined;
    let start = 0;
    for (;;) {
      const suffix = start === 0 ? name : name.slice(start);
      let node = this.nodes.get(suffix);
      const existed = node !== undefined;
      if (node === undefined) {
        node = {
          suffix,
          hash: hashOf(suffix),
          exactAllow: undefined,
          exactDeny: undefined,
          wildcardAllow: undefined,
          wildcardDeny: undefined,
          prefixes: undefined,
          hasRule: false,
        };
        this.nodes.set(suffix, node);
      }
      target ??= node;
      if (existed) break;
      const dot = name.indexOf('.', start);
      if (dot === -1) break;
      start = dot + 1;
    }
    target.hasRule = true;
    return target;
  }

  /** Adds `name` itself. The first value added for a name and side wins. */
  addExact(name: string, side: TrieSide, value: T): void {
    const node = this.nodeFor(name);
    if (side === 0) node.exactAllow ??= value;
    else node.exactDeny ??= value;
  }

  /** Adds every name below `suffix` (any depth), not `suffix` itself. */
  addWildcard(suffix: string, side: TrieSide, value: T): void {
    const node = this.nodeFor(suffix);
    if (side === 0) node.wildcardAllow ??= value;
    else node.wildcardDeny ??= value;
  }

  /** Adds every name of exactly one more label, starting with `prefix`, below `suffix`. */
  addLabelPrefix(prefix: string, suffix: string, side: TrieSide, value: T): void {
    const node = this.nodeFor(suffix);
    node.prefixes ??= [[], []];
    if (!node.prefixes[side].some((entry) => entry.prefix === prefix))
      node.prefixes[side].push({ prefix, value });
  }

  /** Number of trie nodes (distinct suffixes). */
  get size(): number {
    return this.nodes.size;
  }

  /** Lays the nodes out in the lookup table. Call once, after the last rule was added. */
  freeze(): void {
    let bits = 1;
    while (1 << bits < this.nodes.size * 2) bits++;
    const size = 1 << bits;
    const mask = size - 1;
    const slotData = new Int32Array(size * 2);
    const slotNode: (TrieNode<T> | undefined)[] = new Array(size).fill(undefined);
    for (const node of this.nodes.values()) {
      // Only nodes with rules are compared against on lookups.
      if (node.hasRule) node.suffix = flat(node.suffix);
      let meta = (node.suffix.length << 2) | (node.hasRule ? HAS_RULE | VERIFY : 0);
      let slot = slotOf(node.hash, bits);
      while (slotData[slot * 2 + 1] !== 0) {
        if (slotData[slot * 2] === node.hash && slotData[slot * 2 + 1]! >>> 2 === node.suffix.length) {
          // Same hash and length, different text: lookups must compare strings at both.
          slotData[slot * 2 + 1] = slotData[slot * 2 + 1]! | VERIFY;
          meta |= VERIFY;
        }
        slot = (slot + 1) & mask;
      }
      slotData[slot * 2] = node.hash;
      slotData[slot * 2 + 1] = meta;
      slotNode[slot] = node;
    }
    this.bits = bits;
    this.slotData = slotData;
    this.slotNode = slotNode;
  }

  /**
   * Looks a normalized name up and sets {@link allowHit} and {@link denyHit} to the most specific matching
   * rule of each side (or `undefined`).
   */
  match(name: string): void {
    if (typeof scanHost(name) === 'string') this.matchScanned(name);
    else this.allowHit = this.denyHit = undefined;
  }

  /**
   * Like {@link match}, for the name `scanHost` has just returned: uses the label starts and hashes it left
   * in `scanState` instead of reading the name again. Results are stored on the instance, not returned, so
   * a lookup allocates nothing.
   */
  matchScanned(name: string): void {
    let allow: T | undefined;
    let deny: T | undefined;
    const { slotData, slotNode, bits } = this;
    const mask = (1 << bits) - 1;
    const { starts, prefixHashes, total, length } = scanState;
    for (let k = scanState.labels - 1; k >= 0; k--) {
      const start = starts[k]!;
      const suffixLength = length - start;
      const hash = (total - Math.imul(prefixHashes[k]!, HASH_POWERS[suffixLength]!)) | 0;
      let meta = 0;
      let slot = slotOf(hash, bits);
      for (; ; slot = (slot + 1) & mask) {
        meta = slotData[slot * 2 + 1]!;
        if (meta === 0) break;
        if (
          slotData[slot * 2] === hash &&
          meta >>> 2 === suffixLength &&
          ((meta & VERIFY) === 0 || endsWith(name, slotNode[slot]!.suffix, start))
        ) {
          break;
        }
      }
      if (meta === 0) break;
      if ((meta & HAS_RULE) === 0) continue;
      const node = slotNode[slot]!;
      if (k === 0) {
        if (node.exactAllow !== undefined) allow = node.exactAllow;
        if (node.exactDeny !== undefined) deny = node.exactDeny;
        break;
      }
      if (node.wildcardAllow !== undefined) allow = node.wildcardAllow;
      if (node.wildcardDeny !== undefined) deny = node.wildcardDeny;
      const prefixes = node.prefixes;
      if (prefixes !== undefined && k === 1) {
        for (const entry of prefixes[0]) if (name.startsWith(entry.prefix)) allow = entry.value;
        for (const entry of prefixes[1]) if (name.startsWith(entry.prefix)) deny = entry.value;
      }
    }
    this.allowHit = allow;
    this.denyHit = deny;
  }
}
