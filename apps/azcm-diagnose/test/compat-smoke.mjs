// Run by tools/node-compat under the oldest supported Node: the built CLI end to end, on loopback only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { certPath, startTlsServer } from '@agent-gateway/test-support';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const azcm = (...args) => run(process.execPath, [cli, ...args], { encoding: 'utf8' });

const version = await azcm('--version');
assert.match(version.stdout, /^\d+\.\d+\.\d+/);

const explained = JSON.parse((await azcm('explain', '--json', '41')).stdout);
assert.equal(explained.codes[0].code, 'AZCM0041');

const server = await startTlsServer({
  onSecureConnection: (socket) => socket.once('data', () => socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n')),
});
try {
  const { stdout } = await azcm(
    'check',
    '--json',
    '--ca-file',
    certPath('ca.crt'),
    '--resolve',
    `management.azure.com:${server.port}:127.0.0.1`,
    '--connect-to',
    `:443::${server.port}`,
    '--only',
    'management.azure.com',
  );
  const report = JSON.parse(stdout);
  assert.equal(report.endpoints[0].status, 'ok');
  assert.equal(report.endpoints[0].httpStatus, 401);
} finally {
  await server.close();
}
console.log('ok');
