// Copies the /status page's browser files into dist/status-page/: the page's own script and stylesheet, and
// uPlot's from its npm package, so the published package serves them without any network access.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const target = new URL('../dist/status-page/', import.meta.url);
mkdirSync(target, { recursive: true });
const files: Array<[from: string, to: string]> = [
  [new URL('../src/admin/status-page/client/app.js', import.meta.url).pathname, 'app.js'],
  [new URL('../src/admin/status-page/client/app.css', import.meta.url).pathname, 'app.css'],
  [require.resolve('uplot/dist/uPlot.iife.min.js'), 'uPlot.iife.min.js'],
  [require.resolve('uplot/dist/uPlot.min.css'), 'uPlot.min.css'],
];
for (const [from, to] of files) copyFileSync(from, new URL(to, target));
