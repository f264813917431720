import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The status page's browser files: its own script and stylesheet, and uPlot's. */
export type StatusFile = 'app.js' | 'app.css' | 'uPlot.iife.min.js' | 'uPlot.min.css';

/**
 * Reads one of the page's files. The npm package has them in `dist/status-page/` beside the bundle (the build
 * copies them there); run from the sources (tests), they are read where they live. The single executable
 * replaces this module with one that reads them from the executable (tools/package/src/bundle-cli.ts).
 */
export function readStatusFile(name: StatusFile): Buffer {
  try {
    return readFileSync(new URL(`./status-page/${name}`, import.meta.url));
  } catch {
    const source =
      name === 'app.js' || name === 'app.css'
        ? new URL(`./client/${name}`, import.meta.url)
        : createRequire(import.meta.url).resolve(`uplot/dist/${name}`);
    return readFileSync(source);
  }
}
