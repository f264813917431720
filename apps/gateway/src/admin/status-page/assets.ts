import { readStatusFile, type StatusFile } from './asset-files.ts';

/** A file the status page loads from the admin listener. */
export interface StatusAsset {
  type: string;
  body: Buffer;
}

/** The page's files by URL path. */
const ASSETS: Record<string, { type: string; file: StatusFile }> = {
  '/status/app.js': { type: 'text/javascript; charset=utf-8', file: 'app.js' },
  '/status/app.css': { type: 'text/css; charset=utf-8', file: 'app.css' },
  '/status/uplot.js': { type: 'text/javascript; charset=utf-8', file: 'uPlot.iife.min.js' },
  '/status/uplot.css': { type: 'text/css; charset=utf-8', file: 'uPlot.min.css' },
};

const loaded = new Map<string, StatusAsset>();

/** The asset at a URL path (read once, then kept in memory), or `undefined` for any other path. */
export function statusAsset(path: string): StatusAsset | undefined {
  let asset = loaded.get(path);
  if (asset === undefined) {
    const known = ASSETS[path];
    if (known === undefined) return undefined;
    asset = { type: known.type, body: readStatusFile(known.file) };
    loaded.set(path, asset);
  }
  return asset;
}
