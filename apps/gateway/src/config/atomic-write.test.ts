import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.ts';

const isRoot = process.getuid?.() === 0;
/** `nobody` on Debian: an owner that is neither root nor this process. */
const serviceUid = 65534;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the file with the mode asked for and leaves no temporary file', async () => {
    const file = path.join(dir, 'agent-gateway.json');
    await fs.writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new', 0o600);
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['agent-gateway.json']);
  });

  it.runIf(isRoot)('run as root, keeps the owner of the file it replaces (the service user)', async () => {
    const file = path.join(dir, 'agent-gateway.json');
    await fs.writeFile(file, 'old', { mode: 0o600 });
    await fs.chown(file, serviceUid, serviceUid);
    await writeFileAtomic(file, 'new', 0o600);
    const stats = await fs.stat(file);
    expect([stats.uid, stats.gid, stats.mode & 0o777]).toEqual([serviceUid, serviceUid, 0o600]);
  });

  it.runIf(isRoot)('run as root, a new file belongs to root', async () => {
    const file = path.join(dir, 'new.json');
    await writeFileAtomic(file, 'new', 0o600);
    const stats = await fs.stat(file);
    expect([stats.uid, stats.gid]).toEqual([0, 0]);
  });
});
