import { describe, expect, it } from 'vitest';
import { HostTrie } from './host-trie.ts';
import { HASH_MULTIPLIER } from './normalize-host.ts';

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, HASH_MULTIPLIER) + text.charCodeAt(i)) | 0;
  return hash;
}

// Two different labels of equal length and equal 32-bit hash, found by brute force (birthday bound):
// the matcher must never confuse them, with or without a rule on either.
function findCollision(): [string, string] {
  const seen = new Map<number, string>();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let state = 12345;
  for (;;) {
    let label = '';
    for (let i = 0; i < 9; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      label += alphabet[state % alphabet.length];
    }
    const hash = hashOf(`${label}.example.com`);
    const other = seen.get(hash);
    if (other !== undefined && other !== label) return [other, label];
    seen.set(hash, label);
  }
}

describe('HostTrie', () => {
  const [a, b] = findCollision();

  it('found a real collision for the test', () => {
    expect(a).not.toBe(b);
    expect(hashOf(`${a}.example.com`)).toBe(hashOf(`${b}.example.com`));
  });

  it('does not let a name whose hash collides with an allowed name through', () => {
    const trie = new HostTrie<string>();
    trie.addExact(`${a}.example.com`, 0, 'rule-a');
    trie.freeze();
    trie.match(`${a}.example.com`);
    expect(trie.allowHit).toBe('rule-a');
    trie.match(`${b}.example.com`);
    expect(trie.allowHit).toBeUndefined();
  });

  it('does not confuse colliding intermediate nodes on the way to a rule', () => {
    const trie = new HostTrie<string>();
    trie.addWildcard(`x.${a}.example.com`, 0, 'below-a');
    trie.addExact(`y.${b}.example.com`, 0, 'exact-b');
    trie.freeze();
    trie.match(`q.x.${a}.example.com`);
    expect(trie.allowHit).toBe('below-a');
    trie.match(`q.x.${b}.example.com`);
    expect(trie.allowHit).toBeUndefined();
    trie.match(`y.${b}.example.com`);
    expect(trie.allowHit).toBe('exact-b');
    trie.match(`y.${a}.example.com`);
    expect(trie.allowHit).toBeUndefined();
  });

  it('keeps allow and deny apart and reports the most specific of each', () => {
    const trie = new HostTrie<string>();
    trie.addWildcard('example.com', 0, 'allow-all');
    trie.addWildcard('internal.example.com', 1, 'deny-internal');
    trie.addExact('ok.internal.example.com', 0, 'allow-ok');
    trie.freeze();
    trie.match('ok.internal.example.com');
    expect([trie.allowHit, trie.denyHit]).toEqual(['allow-ok', 'deny-internal']);
    trie.match('www.example.com');
    expect([trie.allowHit, trie.denyHit]).toEqual(['allow-all', undefined]);
    trie.match('example.com');
    expect([trie.allowHit, trie.denyHit]).toEqual([undefined, undefined]);
    trie.match('not valid..name');
    expect([trie.allowHit, trie.denyHit]).toEqual([undefined, undefined]);
  });

  it('works empty', () => {
    const trie = new HostTrie<string>();
    trie.freeze();
    trie.match('example.com');
    expect(trie.allowHit).toBeUndefined();
    expect(trie.size).toBe(0);
  });
});
