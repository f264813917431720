// The platform seam for signals. POSIX: SIGTERM (service managers) and SIGINT (Ctrl-C) stop the gateway,
// SIGHUP reloads its configuration. Windows (untested): Node emulates SIGINT for Ctrl-C and raises SIGHUP
// when the console window closes, and a Windows service stop arrives as neither; see the README's Windows
// section for what a port would need.

/** The signals that stop the gateway (drain, then exit). */
export const stopSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Calls `handler` on a stop signal (SIGTERM, SIGINT); returns the function that stops listening. */
export function onStopSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  const listener = (signal: NodeJS.Signals) => handler(signal);
  for (const signal of stopSignals) process.on(signal, listener);
  return () => {
    for (const signal of stopSignals) process.off(signal, listener);
  };
}

/** Calls `handler` on the reload signal (SIGHUP); returns the function that stops listening. */
export function onReloadSignal(handler: () => void): () => void {
  const listener = () => handler();
  process.on('SIGHUP', listener);
  return () => process.off('SIGHUP', listener);
}

/**
 * Ignores the signals a terminal sends to the whole process group (SIGINT for Ctrl-C, SIGHUP when it
 * closes): a cluster worker leaves stopping and reloading to the primary.
 */
export function ignoreTerminalSignals(): void {
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGHUP', ignore);
}

/** Calls `handler` on SIGTERM alone (a service manager stopping every process of the service at once). */
export function onTerminate(handler: () => void): () => void {
  const listener = () => handler();
  process.on('SIGTERM', listener);
  return () => process.off('SIGTERM', listener);
}
