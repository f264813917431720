/**
 * A reversed-label trie: `www.example.com` is stored under `com` -> `example` -> `www`. A lookup walks one
 * node per label of the asked host, so its cost depends on the host's length, never on the number of rules.
 * Each node can hold an exact rule, a wildcard rule (`*.` below it) and label-prefix rules (`azgn*.` below
 * it), each for allow and for deny.
 */

interface PrefixEntry<T> {
  readonly prefix: string;
  readonly value: T;
}

interface TrieNode<T> {
  children: Map<string, TrieNode<T>> | undefined;
  exact: [T | undefined, T | undefined] | undefined;
  wildcard: [T | undefined, T | undefined] | undefined;
  prefixes: [PrefixEntry<T>[], PrefixEntry<T>[]] | undefined;
}

/** Which side a rule is on. 0 = allow, 1 = deny. */
export type TrieSide = 0 | 1;

function newNode<T>(): TrieNode<T> {
  return { children: undefined, exact: undefined, wildcard: undefined, prefixes: undefined };
}

/** Host-name matcher over allow and deny rules; names must already be normalized. */
export class HostTrie<T> {
  private readonly root: TrieNode<T> = newNode();
  /** The most specific allow rule found by the last {@link match}. */
  allowHit: T | undefined = undefined;
  /** The most specific deny rule found by the last {@link match}. */
  denyHit: T | undefined = undefined;

  private nodeFor(name: string): TrieNode<T> {
    let node = this.root;
    let end = name.length;
    while (end > 0) {
      const dot = name.lastIndexOf('.', end - 1);
      const label = name.slice(dot + 1, end);
      node.children ??= new Map();
      let child = node.children.get(label);
      if (child === undefined) {
        child = newNode();
        node.children.set(label, child);
      }
      node = child;
      end = dot;
    }
    return node;
  }

  /** Adds `name` itself. The first value added for a name and side wins. */
  addExact(name: string, side: TrieSide, value: T): void {
    const node = this.nodeFor(name);
    node.exact ??= [undefined, undefined];
    node.exact[side] ??= value;
  }

  /** Adds every name below `suffix` (any depth), not `suffix` itself. */
  addWildcard(suffix: string, side: TrieSide, value: T): void {
    const node = this.nodeFor(suffix);
    node.wildcard ??= [undefined, undefined];
    node.wildcard[side] ??= value;
  }

  /** Adds every name of exactly one more label, starting with `prefix`, below `suffix`. */
  addLabelPrefix(prefix: string, suffix: string, side: TrieSide, value: T): void {
    const node = this.nodeFor(suffix);
    node.prefixes ??= [[], []];
    if (!node.prefixes[side].some((entry) => entry.prefix === prefix))
      node.prefixes[side].push({ prefix, value });
  }

  /**
   * Walks the trie for a normalized name and sets {@link allowHit} and {@link denyHit} to the most specific
   * matching rule of each side (or `undefined`). Results are stored on the instance, not returned, so a
   * lookup allocates nothing but the label slices.
   */
  match(name: string): void {
    let allow: T | undefined;
    let deny: T | undefined;
    let node = this.root;
    let end = name.length;
    while (end > 0) {
      const dot = name.lastIndexOf('.', end - 1);
      const child = node.children?.get(name.slice(dot + 1, end));
      if (child === undefined) break;
      node = child;
      end = dot;
      if (dot === -1) {
        const exact = node.exact;
        if (exact !== undefined) {
          if (exact[0] !== undefined) allow = exact[0];
          if (exact[1] !== undefined) deny = exact[1];
        }
        break;
      }
      const wildcard = node.wildcard;
      if (wildcard !== undefined) {
        if (wildcard[0] !== undefined) allow = wildcard[0];
        if (wildcard[1] !== undefined) deny = wildcard[1];
      }
      const prefixes = node.prefixes;
      if (prefixes !== undefined && name.lastIndexOf('.', dot - 1) === -1) {
        for (const entry of prefixes[0]) if (name.startsWith(entry.prefix)) allow = entry.value;
        for (const entry of prefixes[1]) if (name.startsWith(entry.prefix)) deny = entry.value;
      }
    }
    this.allowHit = allow;
    this.denyHit = deny;
  }
}
