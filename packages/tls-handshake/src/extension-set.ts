import { TlsHandshakeError } from './errors.ts';

// One bit per extension type, shared by every parse: parsing is synchronous, so no two parses overlap, and
// clearing only the bits that were set keeps duplicate detection O(n) even for 16,000 tiny extensions.
const seen = new Uint32Array(65536 / 32);

/**
 * Throws `TLS_DUPLICATE_EXTENSION` if `types` holds a value twice (RFC 8446 4.2: at most one extension of
 * each type per block).
 */
export function assertNoDuplicateExtensions(types: readonly number[], what: string): void {
  let duplicate = -1;
  let i = 0;
  for (; i < types.length; i++) {
    const type = types[i]!;
    const word = type >>> 5;
    const bit = 1 << (type & 31);
    if ((seen[word]! & bit) !== 0) {
      duplicate = type;
      break;
    }
    seen[word] = seen[word]! | bit;
  }
  for (let j = 0; j < i; j++) seen[types[j]! >>> 5] = 0;
  if (duplicate >= 0) {
    throw new TlsHandshakeError(
      'TLS_DUPLICATE_EXTENSION',
      `${what} carries extension 0x${duplicate.toString(16).padStart(4, '0')} twice`,
    );
  }
}
