import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { BundledPackage } from './bundle-cli.ts';
import { debianTemplatesDir, repositoryRoot } from './layout.ts';

const run = promisify(execFile);

/** The Debian package's name, service user and conffile. */
export const debian = {
  package: 'agent-gateway',
  user: 'agent-gateway',
  configDir: '/etc/agent-gateway',
  configFile: '/etc/agent-gateway/agent-gateway.json',
  unitFile: '/lib/systemd/system/agent-gateway.service',
  executable: '/usr/bin/agent-gateway',
  maintainer: 'The agent-gateway developers <agent-gateway@users.noreply.github.com>',
} as const;

/** What {@link buildDebianPackage} packs. */
export interface DebianPackageOptions {
  /** The single executable built with the Debian entry point (its default configuration is the conffile). */
  executable: string;
  /** The npm packages bundled into it, for the copyright file. */
  bundled: BundledPackage[];
  version: string;
  /** Where the .deb goes. */
  outputDir: string;
  /** A scratch directory for the package tree. */
  workDir: string;
}

/** Seconds since 1970 for dates in the package: SOURCE_DATE_EPOCH, else the last commit, else now. */
async function buildTime(): Promise<number> {
  const fromEnvironment = Number(process.env.SOURCE_DATE_EPOCH);
  if (Number.isSafeInteger(fromEnvironment) && fromEnvironment > 0) return fromEnvironment;
  try {
    const { stdout } = await run('git', ['log', '-1', '--format=%ct'], { cwd: repositoryRoot });
    const committed = Number(stdout.trim());
    if (Number.isSafeInteger(committed) && committed > 0) return committed;
  } catch {
    // not a git checkout
  }
  return Math.floor(Date.now() / 1000);
}

/** RFC 5322 date, as Debian changelogs write it. */
function changelogDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString().replace('GMT', '+0000');
}

const mitText = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.`;

/** A text as the body of a deb822 field: every line indented, empty lines as " .". */
function fieldBody(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line}`))
    .join('\n');
}

async function licenseText(bundled: BundledPackage): Promise<string> {
  const names = await readdir(bundled.dir);
  const file = names.find((name) => /^(licen[cs]e|copying)(\.md|\.txt)?$/i.test(name));
  if (!file) throw new Error(`${bundled.name} has no license file to quote in the copyright file`);
  return readFile(path.join(bundled.dir, file), 'utf8');
}

/**
 * debian/copyright in the machine-readable format: this repository's code (MIT), Node.js (MIT, with the
 * components it bundles under the licenses its LICENSE file lists), and every npm package bundled into the
 * program with its version and license. MIT and Apache-2.0 are quoted or referenced once; any other license
 * is quoted from the package's own license file.
 */
export async function copyrightFile(bundled: BundledPackage[]): Promise<string> {
  const licenses = [...new Set(bundled.map((entry) => entry.license))].sort();
  for (const license of licenses) {
    if (!/^[A-Za-z0-9.+-]+$/.test(license))
      throw new Error(`cannot name license "${license}" in debian/copyright`);
  }
  const programLicenses = ['MIT', ...licenses.filter((license) => license !== 'MIT')].join(' and ');
  const packageLines = bundled.map((entry) => `${entry.name} ${entry.version} (${entry.license})`).join('\n');
  const paragraphs = [
    [
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
      'Upstream-Name: agent-gateway',
      'Source: https://github.com/agent-gateway/agent-gateway',
    ].join('\n'),
    ['Files: *', 'Copyright: 2026 The agent-gateway developers', 'License: MIT'].join('\n'),
    [
      'Files: usr/bin/agent-gateway',
      'Copyright: 2026 The agent-gateway developers',
      ' Node.js contributors and the authors of the components Node.js bundles',
      ' The authors of the npm packages listed below',
      `License: ${programLicenses}`,
      `Comment:${fieldBody(`The executable is a Node.js single executable application: the official Node.js binary (MIT;
the components it bundles, such as V8, libuv, OpenSSL, ICU and zlib, are under the licenses in Node.js's
LICENSE file, https://github.com/nodejs/node/blob/main/LICENSE) with the agent-gateway program injected,
which bundles these npm packages:
${packageLines}`)}`,
    ].join('\n'),
    `License: MIT\n${fieldBody(mitText)}`,
  ];
  for (const license of licenses) {
    if (license === 'MIT') continue;
    if (license === 'Apache-2.0') {
      paragraphs.push(
        `License: Apache-2.0\n${fieldBody('On Debian systems the full text of the Apache License 2.0 is in\n/usr/share/common-licenses/Apache-2.0.')}`,
      );
      continue;
    }
    const owner = bundled.find((entry) => entry.license === license)!;
    paragraphs.push(`License: ${license}\n${fieldBody(await licenseText(owner))}`);
  }
  return `${paragraphs.join('\n\n')}\n`;
}

async function place(file: string, contents: string | Buffer, mode: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, contents);
  await chmod(file, mode);
}

/** Every directory of the tree 0755 (the umask must not decide), except those listed. */
async function fixDirectoryModes(root: string, except: Record<string, number>): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    const relative = path.relative(root, dir);
    await chmod(dir, except[relative] ?? 0o755);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(path.join(dir, entry.name));
    }
  };
  await walk(root);
}

async function md5sums(root: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== path.join(root, 'DEBIAN')) await walk(full);
      } else if (!full.startsWith(path.join(root, 'etc') + path.sep)) {
        // Conffiles are tracked by dpkg itself, not in md5sums.
        const digest = createHash('md5')
          .update(await readFile(full))
          .digest('hex');
        lines.push(`${digest}  ${path.relative(root, full)}`);
      }
    }
  };
  await walk(root);
  return `${lines.join('\n')}\n`;
}

/** The shared libraries the executable needs, as Depends (dpkg-shlibdeps, from dpkg-dev). */
async function sharedLibraryDepends(workDir: string, executable: string): Promise<string> {
  const sourceDir = path.join(workDir, 'shlibdeps');
  await mkdir(path.join(sourceDir, 'debian'), { recursive: true });
  await writeFile(
    path.join(sourceDir, 'debian', 'control'),
    `Source: ${debian.package}\n\nPackage: ${debian.package}\nArchitecture: amd64\n`,
  );
  const { stdout } = await run('dpkg-shlibdeps', ['-O', '-e', executable], { cwd: sourceDir });
  const match = /^shlibs:Depends=(.*)$/m.exec(stdout);
  if (!match?.[1]) throw new Error(`dpkg-shlibdeps gave no dependencies: ${stdout}`);
  return match[1];
}

/**
 * Builds dist-bin/agent-gateway_VERSION_amd64.deb with dpkg-deb, offline: the executable as
 * /usr/bin/agent-gateway, the hardened unit from deploy/systemd, deploy/systemd/agent-gateway.json as the
 * conffile /etc/agent-gateway/agent-gateway.json (mode 0600; postinst gives it to the service user), a man
 * page, the copyright file, and the maintainer scripts in tools/package/debian/.
 *
 * @returns the path of the .deb
 */
export async function buildDebianPackage(options: DebianPackageOptions): Promise<string> {
  const root = path.join(options.workDir, 'deb-root');
  await rm(root, { recursive: true, force: true });
  const inTree = (file: string) => path.join(root, file);
  const templates = (name: string) => path.join(debianTemplatesDir, name);
  const time = await buildTime();

  await mkdir(path.dirname(inTree(debian.executable)), { recursive: true });
  await copyFile(options.executable, inTree(debian.executable));
  await chmod(inTree(debian.executable), 0o755);
  await place(
    inTree(debian.unitFile),
    await readFile(path.join(repositoryRoot, 'deploy/systemd/agent-gateway.service')),
    0o644,
  );
  await place(
    inTree(debian.configFile),
    await readFile(path.join(repositoryRoot, 'deploy/systemd/agent-gateway.json')),
    0o600,
  );
  const doc = `usr/share/doc/${debian.package}`;
  await place(inTree(`${doc}/copyright`), await copyrightFile(options.bundled), 0o644);
  const changelog = `${debian.package} (${options.version}) stable; urgency=medium

  * Release ${options.version}; the changes are in CHANGELOG.md of agent-gateway.

 -- ${debian.maintainer}  ${changelogDate(time)}
`;
  // -n: no file name or time stamp in the gzip header, as dh_compress does.
  await place(inTree(`${doc}/changelog.gz`), gzipSync(changelog, { level: 9 }), 0o644);
  await place(
    inTree('usr/share/man/man1/agent-gateway.1.gz'),
    gzipSync(await readFile(templates('agent-gateway.1')), { level: 9 }),
    0o644,
  );
  await place(
    inTree(`usr/share/lintian/overrides/${debian.package}`),
    await readFile(templates('lintian-overrides')),
    0o644,
  );

  const control = inTree('DEBIAN');
  await mkdir(control, { recursive: true });
  for (const script of ['postinst', 'prerm', 'postrm']) {
    await place(path.join(control, script), await readFile(templates(script)), 0o755);
  }
  await place(path.join(control, 'conffiles'), `${debian.configFile}\n`, 0o644);
  await place(path.join(control, 'md5sums'), await md5sums(root), 0o644);
  await fixDirectoryModes(root, { 'etc/agent-gateway': 0o750 });

  const depends = await sharedLibraryDepends(options.workDir, inTree(debian.executable));
  let installedBytes = 0;
  const sizeOf = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== control) await sizeOf(full);
      } else installedBytes += (await stat(full)).size;
    }
  };
  await sizeOf(root);
  await place(
    path.join(control, 'control'),
    `Package: ${debian.package}
Version: ${options.version}
Architecture: amd64
Maintainer: ${debian.maintainer}
Installed-Size: ${Math.ceil(installedBytes / 1024)}
Depends: adduser, init-system-helpers (>= 1.54~), ${depends}
Section: net
Priority: optional
Homepage: https://github.com/agent-gateway/agent-gateway
Description: CONNECT-only gateway for agents without internet access
 agent-gateway is a forward proxy for monitoring and management agents
 (Log Analytics, Azure Monitor Agent, the Azure Arc Connected Machine agent)
 on machines without internet access. It lets tunnels through only to an
 allowlist of hosts and ports, checks that each tunnel carries a real TLS
 session to the host that was asked for, and never decrypts anything.
 .
 This package installs one self-contained executable (Node.js is built in),
 a hardened systemd unit that is enabled but not started, and the
 configuration in /etc/agent-gateway.
`,
    0o644,
  );

  await mkdir(options.outputDir, { recursive: true });
  const output = path.join(options.outputDir, `${debian.package}_${options.version}_amd64.deb`);
  await rm(output, { force: true });
  await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', root, output], {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(time) },
  });
  return output;
}
