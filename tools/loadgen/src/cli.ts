#!/usr/bin/env node
// agw-loadgen: the load generator as a command. Every command prints one JSON line with its result.
import { parseArgs } from 'node:util';
import { parseEndpoint, sourceAddresses } from './client.ts';
import { openFlood } from './flood.ts';
import { runProbes } from './probe.ts';
import { openIdle, runBulk, runRoundTrips, runSetups } from './scenarios.ts';
import { startTarget } from './target.ts';
import { loadTlsGreeting } from './tls-greeting.ts';

const usage = `usage: agw-loadgen <command> [options]
  target  [--host 127.0.0.1] [--port 0]             run the echo/source target; prints {"port":N,"ports":[N]}, runs until SIGTERM
          --port P1,P2,...: one process listening on several ports (many destinations for many tunnels)
  setups  --target H:P [--via H:P] [--concurrency 32] [--duration-ms 3000]
  bulk    --target H:P [--via H:P] [--bytes 536870912]
  rtt     --target H:P [--via H:P] [--count 5000]
  idle    --target H:P[,H:P...] [--via H:P] --count N [--source-net 1] [--sources 64]
          opens N idle tunnels from 127.<source-net>.x.y (tunnel i to the i-th target, round robin);
          prints {"opened":N,...}; holds them until stdin closes or SIGTERM; [--open-timeout-ms N]: a tunnel
          not proven within N ms counts as failed (default: wait as long as it takes);
          a line 'ping' on stdin sends a byte through every tunnel and prints {"pinged":N,"failed":M};
          a line 'storm' cuts every tunnel at once and reconnects them all at once (no concurrency limit),
          each agent retrying a failed attempt; prints the storm's result and holds the new tunnels
          [--cut reset|close] [--retries 5] [--backoff-ms 250] [--attempt-timeout-ms 10000]
  probe   --target H:P --via H:P --count N [--concurrency 10] [--timeout-ms 5000] [--spread-ms 0]
          [--source-net 1] [--sources 64]
          legitimate clients during an attack: N tunnels (CONNECT, greeting, 1-byte echo), --concurrency at a
          time, each within --timeout-ms, spread over about --spread-ms; prints successes, time-outs, errors
          by kind and latency
  flood   --via H:P --count N [--reopen] [--source-net 1] [--sources 64] [--concurrency 0] [--open-timeout-ms 30000]
          opens N connections that never send a byte and holds them; with --reopen each is opened again as
          soon as the server closes it; prints {"event":"opened",...} once every connection was tried once
          (or after --open-timeout-ms); a line 'stats' on stdin prints the counts so far; 'stop', stdin
          closing or SIGTERM closes every socket and prints {"event":"stopped",...}
  --via absent = connect to the target directly (the baseline).
  --tls NAME    every connection first replays a recorded TLS 1.3 greeting (e.g. curl-tls13: the
                ClientHello out, the server's first flight back) so a verifying proxy checks a real handshake
  --tls-shuffle with --tls: the hello's extensions in a new random order on every connection (as Chromium)
  --connect-host NAME  the host in the CONNECT request (default: the target's; with --tls, a verifying
                proxy needs the greeting's SNI, printed by 'greeting')
  greeting --tls NAME                               prints the greeting's {"name","serverName",...}`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    target: { type: 'string' },
    via: { type: 'string' },
    // Per command: setups 32, probe 10, flood 0 (no limit).
    concurrency: { type: 'string' },
    'duration-ms': { type: 'string', default: '3000' },
    bytes: { type: 'string', default: String(512 * 1024 * 1024) },
    // Per command: rtt 5000; idle, probe and flood need it.
    count: { type: 'string' },
    'source-net': { type: 'string', default: '1' },
    sources: { type: 'string', default: '64' },
    tls: { type: 'string' },
    'tls-shuffle': { type: 'boolean', default: false },
    cut: { type: 'string', default: 'reset' },
    retries: { type: 'string', default: '5' },
    'backoff-ms': { type: 'string', default: '250' },
    'attempt-timeout-ms': { type: 'string', default: '10000' },
    'connect-host': { type: 'string' },
    'timeout-ms': { type: 'string', default: '5000' },
    'spread-ms': { type: 'string', default: '0' },
    reopen: { type: 'boolean', default: false },
    'open-timeout-ms': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const command = positionals[0];
if (values.help || command === undefined) {
  process.stdout.write(`${usage}\n`);
  process.exit(command === undefined && !values.help ? 2 : 0);
}

if (command === 'greeting') {
  const greeting = loadTlsGreeting(values.tls);
  print({
    name: greeting.name,
    serverName: greeting.serverName,
    clientHelloBytes: greeting.clientHello.length,
    serverFlightBytes: greeting.serverFlight.length,
  });
} else if (command === 'flood') {
  if (values.via === undefined || values.count === undefined) {
    process.stderr.write(`flood needs --via and --count\n${usage}\n`);
    process.exit(2);
  }
  const flood = openFlood({
    via: parseEndpoint(values.via),
    count: Number(values.count),
    localAddresses: sourceAddresses(Number(values['source-net']), Number(values.sources)),
    reopen: values.reopen,
    concurrency: Number(values.concurrency ?? 0),
  });
  const stop = () => {
    print({ event: 'stopped', ...flood.stop() });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    input += text;
    for (let end = input.indexOf('\n'); end >= 0; end = input.indexOf('\n')) {
      const line = input.slice(0, end).trim();
      input = input.slice(end + 1);
      if (line === 'stats') print({ event: 'stats', ...flood.stats() });
      else if (line === 'stop') stop();
    }
  });
  print({ event: 'opened', ...(await flood.opened(Number(values['open-timeout-ms'] ?? 30_000))) });
} else if (command === 'target') {
  const targets: Awaited<ReturnType<typeof startTarget>>[] = [];
  for (const port of values.port.split(','))
    targets.push(await startTarget({ host: values.host, port: Number(port) }));
  print({ port: targets[0]?.port, ports: targets.map((target) => target.port) });
  const stop = () => void Promise.all(targets.map((target) => target.close())).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  if (values.target === undefined) {
    process.stderr.write(`--target is required\n${usage}\n`);
    process.exit(2);
  }
  // `idle` spreads its tunnels over a list of targets; the other commands take the first.
  const targets = values.target.split(',').map(parseEndpoint);
  const route = {
    target: targets[0] as ReturnType<typeof parseEndpoint>,
    via: values.via !== undefined ? parseEndpoint(values.via) : undefined,
    connectHost: values['connect-host'],
    greeting:
      values.tls === undefined
        ? undefined
        : { ...loadTlsGreeting(values.tls), shuffleExtensions: values['tls-shuffle'] },
  };
  if (command === 'setups') {
    print(
      await runSetups({
        ...route,
        concurrency: Number(values.concurrency ?? 32),
        durationMs: Number(values['duration-ms']),
      }),
    );
  } else if (command === 'bulk') {
    print(await runBulk({ ...route, bytes: Number(values.bytes) }));
  } else if (command === 'rtt') {
    print(await runRoundTrips({ ...route, count: Number(values.count ?? 5000) }));
  } else if (command === 'probe') {
    print(
      await runProbes({
        ...route,
        count: Number(values.count ?? 1000),
        concurrency: Number(values.concurrency ?? 10),
        timeoutMs: Number(values['timeout-ms']),
        spreadMs: Number(values['spread-ms']),
        localAddresses: sourceAddresses(Number(values['source-net']), Number(values.sources)),
      }),
    );
  } else if (command === 'idle') {
    const idle = await openIdle({
      ...route,
      count: Number(values.count ?? 5000),
      localAddresses: sourceAddresses(Number(values['source-net']), Number(values.sources)),
      targets,
      ...(values['open-timeout-ms'] === undefined
        ? {}
        : { attemptTimeoutMs: Number(values['open-timeout-ms']) }),
    });
    print({ opened: idle.opened, failed: idle.failed, firstError: idle.firstError });
    const stop = () => {
      idle.close();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    let input = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (text: string) => {
      input += text;
      for (let end = input.indexOf('\n'); end >= 0; end = input.indexOf('\n')) {
        const line = input.slice(0, end).trim();
        input = input.slice(end + 1);
        if (line === 'ping') void idle.ping().then(print);
        else if (line === 'storm')
          void idle
            .storm({
              cut: values.cut === 'close' ? 'close' : 'reset',
              retries: Number(values.retries),
              backoffMs: Number(values['backoff-ms']),
              attemptTimeoutMs: Number(values['attempt-timeout-ms']),
            })
            .then(print);
      }
    });
  } else {
    process.stderr.write(`unknown command ${command}\n${usage}\n`);
    process.exit(2);
  }
}
