// A child process for the flush test: it emits more than one write's worth of events to a file sink, then
// awaits flush() with nothing else keeping the process alive (the batch timer does not), and says how many
// lines the sink took. A flush that left lines to the batch timer would end the process before they are out.
import { createEventLog } from '../../src/event-log.ts';
import { fileSink } from '../../src/node/file-sink.ts';

const path = process.argv[2] as string;
const sink = fileSink({ path, reopenOnSignal: false });
const events = createEventLog({ sinks: [sink] });
// Wait until the file is open, so that the burst below starts a write at once.
await new Promise((resolve) => setTimeout(resolve, 100));
// About 300 KiB: one write of at most 256 KiB goes out and the rest waits for the next batch.
for (let i = 0; i < 2000; i++) events.emit(100, { detail: `line ${i}` });
await events.flush();
process.stdout.write(`flushed ${sink.stats().written}\n`);
await events.close();
