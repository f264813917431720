// A child process for the disk-full tests: an event log with a file sink (on the test's small disk) and
// a stdout sink (a pipe the test reads), each with the buffer limit given on the command line,, reporting the sinks' health as the gateway does.
// Commands on stdin, one per line:
//   rate N     emit N events (100, with a sequence number) every 10 ms from now on (0 stops)
//   burst N    emit N events at once
//   stats      print `stats {json}` on stderr: events.stats() and process.memoryUsage() after a GC
//   exit N     process.exit(N) at once, with whatever is still buffered
// The end of stdin closes the log and exits with 0. Prints `ready` on stderr once set up.
import { createInterface } from 'node:readline';
import { createNodeEventLog } from '../../src/node/create-node-event-log.ts';
import { fileSink } from '../../src/node/file-sink.ts';
import { jsonLinesSink } from '../../src/node/json-lines-sink.ts';

const [path, fileBuffer, stdoutBuffer] = process.argv.slice(2);
const events = createNodeEventLog({
  sinks: [
    fileSink({ path: path!, reopenOnSignal: false, maxBufferedBytes: Number(fileBuffer) }),
    jsonLinesSink({ maxBufferedBytes: Number(stdoutBuffer) }),
  ],
});

// About 300 bytes per line.
const padding = 'p'.repeat(200);
let sequence = 0;
const emit = (count: number) => {
  for (let i = 0; i < count; i++) events.emit(100, { detail: `seq ${sequence++} ${padding}` });
};
let ticker: NodeJS.Timeout | undefined;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, argument] = line.split(' ');
  const n = Number(argument);
  if (command === 'rate') {
    clearInterval(ticker);
    ticker = n > 0 ? setInterval(() => emit(n), 10) : undefined;
  } else if (command === 'burst') {
    emit(n);
  } else if (command === 'stats') {
    // Started with --expose-gc: count what is held, not the garbage of lines already dropped.
    (globalThis as { gc?: () => void }).gc?.();
    process.stderr.write(
      `stats ${JSON.stringify({ emitted: sequence, events: events.stats(), memory: process.memoryUsage() })}\n`,
    );
  } else if (command === 'exit') {
    process.exit(n);
  }
});
lines.on('close', () => {
  clearInterval(ticker);
  void events.close().then(() => process.exit(0));
});
process.stderr.write('ready\n');
