// A child process for the sink tests: it builds an event log from argv and emits one event per stdin line
// ("105" or "100 text"), and answers "hup" after it handled SIGHUP and "ready" once set up.
import { createInterface } from 'node:readline';
import { createNodeEventLog } from '../../src/node/create-node-event-log.ts';
import { fileSink } from '../../src/node/file-sink.ts';

const [mode, path] = process.argv.slice(2);
const events =
  mode === 'file'
    ? createNodeEventLog({ sinks: [fileSink({ path: path! })] })
    : createNodeEventLog({ language: 'de' });

// Registered after the sink's own handler, so the reopen has started when this answers.
process.on('SIGHUP', () => process.stderr.write('hup\n'));

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, ...rest] = line.split(' ');
  if (command === '105') {
    events.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443', reason: 'host-not-allowed' });
  } else if (command === '100') {
    events.emit(100, { detail: rest.join(' ') });
  } else if (command === 'flush') {
    void events.flush().then(() => process.stderr.write('flushed\n'));
  }
});
lines.on('close', () => {
  void events.close().then(() => process.exit(0));
});
process.stderr.write('ready\n');
