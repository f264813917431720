import { fileURLToPath } from 'node:url';

/** The oldest Node the published packages declare in `engines` (>=22.12.0: require(esm) without a flag). */
export const COMPAT_NODE_VERSION = '22.12.0';

export function compatNodeDir() {
  return fileURLToPath(
    new URL(`../../node_modules/.cache/compat-node/${COMPAT_NODE_VERSION}`, import.meta.url),
  );
}
