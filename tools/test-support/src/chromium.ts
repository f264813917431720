/** Debian's Chromium, as the browser tests and the fixture capture run it. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Flags for headless Chromium on this kind of machine: root needs `--no-sandbox`, and without the
 * background-networking flags Chromium keeps trying to reach Google's hosts, which a closed network refuses
 * (and which a test must never attempt). Add `--headless` and a fresh `--user-data-dir` where the launcher
 * does not.
 */
export const headlessChromiumFlags: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
