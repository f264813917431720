import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { certPath, freePort, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { debian } from '../src/debian-package.ts';
import { repositoryRoot } from '../src/layout.ts';
import {
  curlThrough,
  dpkg,
  gatewayConfig,
  type ProgramResult,
  type RunningProgram,
  runProgram,
  startHttpsTarget,
  startProgram,
  systemEnvironment as system,
  targetBody,
} from './support.ts';

const packaged = inject('packaged');
const version = JSON.parse(
  readFileSync(path.join(repositoryRoot, 'apps/gateway/package.json'), 'utf8'),
).version;
const isRoot = process.getuid?.() === 0;
const installed = (() => {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a template
    return execFileSync('dpkg-query', ['-W', '-f=${db:Status-Status}', debian.package], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return 'not-installed';
  }
})();
/** Whether the service user is there before the test (postinst creates it; Debian keeps it after purge). */
const userExisted = (() => {
  try {
    execFileSync('getent', ['passwd', debian.user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function owner(file: string): string {
  const stats = statSync(file);
  const name = (id: number, database: 'passwd' | 'group') =>
    execFileSync('getent', [database, String(id)], { encoding: 'utf8' }).split(':')[0];
  return `${name(stats.uid, 'passwd')}:${name(stats.gid, 'group')} ${(stats.mode & 0o7777).toString(8)}`;
}

/** The [Service] settings of the unit the package installed. */
function unitSettings(): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of readFileSync(debian.unitFile, 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}

// The test installs the package into this machine and purges it again, as root (CI runs as root), and leaves
// the machine as it found it: afterAll purges the package even when a test failed, and deletes the service
// user the package created (Debian keeps system users after a purge; a test should not). A machine that has
// agent-gateway installed, or left removed but not purged, is left alone (the tests are skipped).
describe.runIf(isRoot && installed === 'not-installed')('the Debian package, installed with dpkg', () => {
  let target: LocalTlsServer;
  let service: RunningProgram | undefined;
  let lintian: Promise<ProgramResult>;

  beforeAll(async () => {
    // lintian reads the whole executable (about a minute): it runs while the other tests do.
    lintian = runProgram(
      'lintian',
      [
        '--info',
        '--pedantic',
        '--display-experimental',
        '--fail-on',
        'error,warning,info,pedantic',
        packaged.debianPackage,
      ],
      { env: system, timeoutMs: 180_000 },
    );
    target = await startHttpsTarget();
  });
  afterAll(async () => {
    await service?.stop();
    await target?.close();
    const purged = await dpkg(['--purge', debian.package]);
    if (!userExisted) {
      await runProgram('userdel', [debian.user], { env: system });
      await runProgram('groupdel', [debian.user], { env: system });
    }
    if (purged.code !== 0) throw new Error(`dpkg --purge ${debian.package} failed: ${purged.stderr}`);
  });

  it('dpkg -i: the executable, the unit enabled but not started, the conffile of the service user', async () => {
    expect(path.basename(packaged.debianPackage)).toBe(`agent-gateway_${version}_amd64.deb`);
    const install = await dpkg(['-i', packaged.debianPackage]);
    expect(install.code, install.stderr).toBe(0);

    expect(owner(debian.executable)).toBe('root:root 755');
    expect(owner(debian.unitFile)).toBe('root:root 644');
    expect(owner(debian.configDir)).toBe('agent-gateway:agent-gateway 750');
    expect(owner(debian.configFile)).toBe('agent-gateway:agent-gateway 600');
    expect(readFileSync(debian.configFile, 'utf8')).toBe(
      readFileSync(path.join(repositoryRoot, 'deploy/systemd/agent-gateway.json'), 'utf8'),
    );
    expect(readFileSync(debian.unitFile, 'utf8')).toBe(
      readFileSync(path.join(repositoryRoot, 'deploy/systemd/agent-gateway.service'), 'utf8'),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a template
    const conffiles = execFileSync('dpkg-query', ['-W', '-f=${Conffiles}', debian.package], {
      encoding: 'utf8',
    });
    expect(conffiles).toContain(debian.configFile);

    const account = execFileSync('getent', ['passwd', debian.user], { encoding: 'utf8' }).trim().split(':');
    expect([account[5], account[6]]).toEqual(['/nonexistent', '/usr/sbin/nologin']);
    // Enabled as systemd would see it at the next boot; not started (systemd is not running here anyway,
    // and the maintainer scripts must not fail for that).
    expect(existsSync('/etc/systemd/system/multi-user.target.wants/agent-gateway.service')).toBe(true);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(
      `${debian.executable} run`,
    );

    const shown = await runProgram(debian.executable, ['--version'], { env: {} });
    expect([shown.code, shown.stdout.trim()]).toEqual([0, version]);
  });

  it("runs as the unit does (its user, ExecStart, Environment, LimitNOFILE): CONNECT verified, root's edits applied live", async () => {
    const port = await freePort();
    const adminPort = await freePort();
    // Root edits the configuration with the installed CLI, which uses the conffile by default and keeps
    // the file the service user's.
    const config = gatewayConfig({ port, adminPort, targetPort: target.port, hosts: ['web.example.test'] });
    for (const [key, value] of Object.entries(config)) {
      const set = await runProgram(
        'agent-gateway',
        ['config', 'set', key, typeof value === 'string' ? value : JSON.stringify(value)],
        {
          env: system,
        },
      );
      expect([set.code, set.stderr]).toEqual([0, '']);
    }
    expect(owner(debian.configFile)).toBe('agent-gateway:agent-gateway 600');

    const unit = unitSettings();
    const [user] = unit.get('User') ?? [];
    const [execStart] = unit.get('ExecStart') ?? [];
    const [limit] = unit.get('LimitNOFILE') ?? [];
    expect([user, execStart, limit]).toEqual([debian.user, `${debian.executable} run`, '131072']);
    const environment = Object.fromEntries(
      (unit.get('Environment') ?? []).map((assignment) => assignment.split('=', 2) as [string, string]),
    );
    expect(environment).toEqual({ AGENT_GATEWAY_CONFIG: debian.configFile });
    // systemd sets LimitNOFILE as root before it drops privileges; a container's own hard limit caps what
    // even root may set (20000 on the development machine), and systemd would be capped the same way.
    const hardLimit = Number(
      /^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1],
    );
    const nofile = Math.min(Number(limit), hardLimit);
    // No systemd here: prlimit and setpriv do what the unit's LimitNOFILE, User, Group, UMask and empty
    // capability sets do, in a clean environment with the unit's variables.
    service = startProgram(
      'prlimit',
      [
        `--nofile=${nofile}:${nofile}`,
        '--',
        'setpriv',
        `--reuid=${user}`,
        `--regid=${user}`,
        '--init-groups',
        '--inh-caps=-all',
        '--bounding-set=-all',
        '--no-new-privs',
        '--',
        'sh',
        '-c',
        `umask 0077 && exec ${execStart}`,
      ],
      { env: { ...environment, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, cwd: '/' },
    );
    await service.waitForEvent(101);
    // On PATH under its own name, the banner names the bare command.
    await service.waitForStderr('change it:     agent-gateway allowed-host add HOST');
    const listener = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const pid = /pid=(\d+)/.exec(listener)?.[1];
    expect(pid, listener).toBeDefined();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = execFileSync('id', ['-u', debian.user], { encoding: 'utf8' }).trim();
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(uid);
    expect(readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(
      new RegExp(`Max open files\\s+${nofile}\\s+${nofile}`),
    );

    const verified = await curlThrough(port, 'web.example.test', target.port, certPath('ca.crt'));
    expect(verified.stderr).toBe('');
    expect([verified.code, verified.stdout]).toEqual([0, targetBody]);
    await service.waitForEvent(107, { sni: 'web.example.test' });

    const mark = service.events().length;
    const added = await runProgram('agent-gateway', ['allowed-host', 'add', 'later.example.test'], {
      env: system,
    });
    expect([added.code, added.stderr]).toEqual([0, '']);
    expect(owner(debian.configFile)).toBe('agent-gateway:agent-gateway 600');
    await service.waitForEvent(100, {}, mark);
    const allowed = await curlThrough(port, 'later.example.test', target.port, certPath('ca.crt'));
    expect([allowed.code, allowed.stdout]).toEqual([0, targetBody]);

    await service.stop();
    expect(service.events().at(-1)).toMatchObject({ id: 102 });
  });

  it('dpkg -r keeps the configuration; dpkg -P deletes it', async () => {
    const remove = await dpkg(['-r', debian.package]);
    expect(remove.code, remove.stderr).toBe(0);
    expect(existsSync(debian.executable)).toBe(false);
    expect(existsSync(debian.unitFile)).toBe(false);
    expect(owner(debian.configFile)).toBe('agent-gateway:agent-gateway 600');
    expect(readFileSync(debian.configFile, 'utf8')).toContain('later.example.test');

    const purge = await dpkg(['-P', debian.package]);
    expect(purge.code, purge.stderr).toBe(0);
    expect(existsSync(debian.configDir)).toBe(false);
    expect(existsSync('/etc/systemd/system/multi-user.target.wants/agent-gateway.service')).toBe(false);
    const status = await runProgram('dpkg-query', ['-W', debian.package], { env: system });
    expect(status.code).not.toBe(0);
  });

  it('is clean under lintian (every override is explained in tools/package/debian/lintian-overrides)', async () => {
    const result = await lintian;
    const tags = result.stdout.split('\n').filter((line) => /^[EWIPX]: /.test(line));
    expect(tags).toEqual([]);
    expect(result.code).toBe(0);
  });
});
