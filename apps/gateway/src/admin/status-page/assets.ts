import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file the status page loads from the admin listener. */
export interface StatusAsset {
  type: string;
  body: Buffer;
}

/**
 * The page's files by URL path. In the published package they sit in `dist/status-page/` (the build copies
 * them there, uPlot from its npm package); from the sources (tests), they are read where they live.
 */
const ASSETS: Record<string, { type: string; dist: string; source: () => string }> = {
  '/status/app.js': {
    type: 'text/javascript; charset=utf-8',
    dist: 'status-page/app.js',
    source: () => fileURLToPath(new URL('./client/app.js', import.meta.url)),
  },
  '/status/app.css': {
    type: 'text/css; charset=utf-8',
    dist: 'status-page/app.css',
    source: () => fileURLToPath(new URL('./client/app.css', import.meta.url)),
  },
  '/status/uplot.js': {
    type: 'text/javascript; charset=utf-8',
    dist: 'status-page/uPlot.iife.min.js',
    source: () => createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'),
  },
  '/status/uplot.css': {
    type: 'text/css; charset=utf-8',
    dist: 'status-page/uPlot.min.css',
    source: () => createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'),
  },
};

const loaded = new Map<string, StatusAsset>();

function read(path: string): StatusAsset | undefined {
  const asset = ASSETS[path];
  if (asset === undefined) return undefined;
  let body: Buffer;
  try {
    body = readFileSync(new URL(`./${asset.dist}`, import.meta.url));
  } catch {
    body = readFileSync(asset.source());
  }
  return { type: asset.type, body };
}

/** The asset at a URL path (read once, then kept in memory), or `undefined` for any other path. */
export function statusAsset(path: string): StatusAsset | undefined {
  let asset = loaded.get(path);
  if (asset === undefined) {
    asset = read(path);
    if (asset !== undefined) loaded.set(path, asset);
  }
  return asset;
}
