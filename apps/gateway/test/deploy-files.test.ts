import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import packageJson from '../package.json' with { type: 'json' };
import { defaultConfig } from '../src/config/schema.ts';
import { deriveCapacity } from '../src/runtime/capacity.ts';
import { useE2EScope } from './gateway-e2e.ts';
import { freePort, runProgram, startGatewayProcess } from './gateway-process.ts';
import { runAgentGateway } from './run-cli.ts';

// The files in deploy/ are checked against the gateway itself: its validation, its defaults, its capacity
// rule, and the real HAProxy; a deployment example that drifts from the product fails here.

const deployDir = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const read = (file: string) => fs.readFile(path.join(deployDir, file), 'utf8');
const haproxy = '/usr/sbin/haproxy';

const scope = useE2EScope();
let scratch: string;

beforeAll(async () => {
  scratch = await scope.tempDir();
});

/** `agent-gateway config validate FILE` through the real CLI. */
async function validate(name: string, json: string): Promise<{ code: number | null; out: string }> {
  const file = path.join(scratch, `${name}.json`);
  await fs.writeFile(file, json);
  const result = await runAgentGateway(['config', 'validate', file], { cwd: scratch });
  return { code: result.code, out: result.stdout + result.stderr };
}

function portOf(hostPort: string): number {
  return Number(/:(\d+)$/.exec(hostPort)?.[1]);
}

/** `Key=value` lines of a systemd unit (a key that repeats keeps its last value). */
function unitSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1] as string, match[2] as string);
  }
  return settings;
}

describe('systemd unit', () => {
  it('agrees with the example configuration, the drain timeout and the capacity rule', async () => {
    const unit = await read('systemd/agent-gateway.service');
    const settings = unitSettings(unit);
    const example = await read('systemd/agent-gateway.json');
    const checked = await validate('systemd', example);
    expect(checked.code, checked.out).toBe(0);
    const config = JSON.parse(example) as { DrainTimeoutMs: number; AdminListen: string };

    const configFile = /^AGENT_GATEWAY_CONFIG=(.+)$/.exec(settings.get('Environment') ?? '')?.[1];
    expect(configFile).toBe('/etc/agent-gateway/agent-gateway.json');
    // The directory stays writable under ProtectSystem=strict: `run` may create the file, the CLI locks.
    expect(settings.get('ProtectSystem')).toBe('strict');
    expect(settings.get('ReadWritePaths')?.split(/\s+/)).toContain(path.dirname(configFile as string));
    expect(settings.get('ExecStart')).toBe('/usr/bin/agent-gateway run');
    expect(settings.get('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(settings.get('Type')).toBe('simple');
    expect(settings.get('KillSignal')).toBe('SIGTERM');

    // systemd must outwait the drain, for the example's value and for the default.
    const stopMs = Number(/^(\d+)s$/.exec(settings.get('TimeoutStopSec') ?? '')?.[1]) * 1000;
    expect(stopMs).toBeGreaterThan(config.DrainTimeoutMs);
    expect(stopMs).toBeGreaterThan(defaultConfig().DrainTimeoutMs);

    // The comment's arithmetic is the gateway's own rule.
    const limit = Number(settings.get('LimitNOFILE'));
    const derived = deriveCapacity(
      { MaxTunnels: 0, MaxPendingConnections: 0, MaxConnections: 0, MaxConnectionsPerClient: 0 },
      limit,
    );
    expect(derived.maxTunnels).toBeGreaterThanOrEqual(50_000);
    expect(unit).toContain(
      `MaxPendingConnections ${derived.maxPendingConnections}, MaxTunnels (${limit} - 64 - ${derived.maxPendingConnections}) / 2 = ${derived.maxTunnels}`,
    );

    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      ProtectClock: 'yes',
      ProtectHostname: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      RestrictNamespaces: 'yes',
      LockPersonality: 'yes',
      MemoryDenyWriteExecute: 'no',
      RestrictRealtime: 'yes',
      RestrictSUIDSGID: 'yes',
      SystemCallArchitectures: 'native',
      SystemCallFilter: '@system-service',
      CapabilityBoundingSet: '',
      UMask: '0077',
      Restart: 'on-failure',
      User: 'agent-gateway',
    })) {
      expect(settings.get(key), key).toBe(value);
    }
  });
});

describe('HAProxy example', () => {
  it('is valid for the real haproxy -c, and an edited broken copy is not', async () => {
    const file = path.join(deployDir, 'haproxy/haproxy.cfg');
    const checked = await runProgram(haproxy, ['-c', '-f', file]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout + checked.stderr).toContain('Configuration file is valid');

    const broken = path.join(scratch, 'broken.cfg');
    await fs.writeFile(
      broken,
      (await read('haproxy/haproxy.cfg')).replace('balance leastconn', 'balance fewest'),
    );
    const refused = await runProgram(haproxy, ['-c', '-f', broken]);
    expect(refused.code).not.toBe(0);
  });

  it('sends traffic and checks to the ports of the gateway configuration next to it', async () => {
    const cfg = await read('haproxy/haproxy.cfg');
    const example = await read('haproxy/gateway-1.json');
    const checked = await validate('gateway-1', example);
    expect(checked.code, checked.out).toBe(0);
    const gateway = JSON.parse(example) as {
      ListenAddress: string;
      ListenPort: number;
      AdminListen: string;
      AcceptProxyProtocol: boolean;
      TrustedProxyNetworks: string[];
    };
    expect(cfg).toMatch(/^\s+option httpchk GET \/readyz$/m);
    expect(cfg).toMatch(/^\s+balance leastconn$/m);
    expect(cfg).toMatch(/^\s+option redispatch$/m);
    expect(cfg).toMatch(/^\s+timeout tunnel \d+h$/m);
    const defaults = /^\s+default-server (.+)$/m.exec(cfg)?.[1] ?? '';
    expect(defaults).toContain('inter 500ms fall 1 rise 2');
    expect(defaults).toContain('send-proxy-v2');
    expect(defaults).not.toContain('check-send-proxy');
    expect(Number(/check port (\d+)/.exec(defaults)?.[1])).toBe(portOf(gateway.AdminListen));
    const first = /^\s+server gateway-1 (\S+):(\d+)$/m.exec(cfg);
    expect(first?.[1]).toBe(gateway.ListenAddress);
    expect(Number(first?.[2])).toBe(gateway.ListenPort);
    // The PROXY header is only believed from HAProxy.
    expect(gateway.AcceptProxyProtocol).toBe(true);
    expect(gateway.TrustedProxyNetworks).toEqual(['127.0.0.1/32']);
  });
});

describe('Dockerfile', () => {
  it('runs the packaged CLI with the configuration on the volume, on the default port', async () => {
    const dockerfile = await read('docker/Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:24-bookworm AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1])).toBe(defaultConfig().ListenPort);
    const configFile = /AGENT_GATEWAY_CONFIG=(\S+)/.exec(dockerfile)?.[1] ?? '';
    expect(dockerfile).toContain(`VOLUME ["${path.dirname(configFile)}"]`);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(entrypoint).toEqual([
      'node',
      `/opt/agent-gateway/node_modules/agent-gateway/${packageJson.bin['agent-gateway'].replace('./', '')}`,
      'run',
    ]);
    // Every workspace package the gateway imports is packed into the image, and nothing else.
    const packed = [...dockerfile.matchAll(/-w (\S+)/g)].map((match) => match[1]).sort();
    const workspaceDependencies = Object.keys(packageJson.dependencies).filter((name) =>
      name.startsWith('@agent-gateway/'),
    );
    expect(packed).toEqual(['agent-gateway', ...workspaceDependencies].sort());
    expect(await fs.readFile(path.join(deployDir, '../.dockerignore'), 'utf8')).toMatch(
      /^\*\*\/node_modules$/m,
    );
  });
});

interface K8sObject {
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

/** The fields of the manifests the test reads (a partial view of the Kubernetes types). */
interface Container {
  ports: Array<{ name: string; containerPort: number }>;
  readinessProbe: { httpGet: unknown };
  livenessProbe: { httpGet: unknown };
  env: Array<{ name: string; value: string }>;
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  securityContext: unknown;
  resources: { limits: { memory?: string } };
}
interface Deployment extends K8sObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      spec: {
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot?: boolean };
        containers: Container[];
        volumes: Array<{ name: string; secret: { secretName: string } }>;
      };
    };
  };
}
interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: unknown[] };
}

describe('Kubernetes manifests', () => {
  it('mount a valid configuration as a directory, probe its admin port, and outwait the drain', async () => {
    const objects: K8sObject[] = [];
    for (const name of ['secret.yaml', 'deployment.yaml', 'service.yaml']) {
      for (const document of parseAllDocuments(await read(`kubernetes/${name}`))) {
        expect(document.errors, name).toEqual([]);
        objects.push(document.toJS() as K8sObject);
      }
    }
    const byKind = (kind: string) => objects.find((object) => object.kind === kind) as K8sObject;
    const secret = byKind('Secret') as K8sObject & { stringData: Record<string, string> };
    const deployment = byKind('Deployment') as Deployment;
    const service = byKind('Service') as Service;

    const [fileName, json] = Object.entries(secret.stringData)[0] as [string, string];
    const checked = await validate('kubernetes', json);
    expect(checked.code, checked.out).toBe(0);
    const config = JSON.parse(json) as {
      ListenPort: number;
      AdminListen: string;
      AdminToken: string;
      DrainTimeoutMs: number;
    };
    // Probes come from the kubelet on the pod address: the admin listener is not on loopback, so the
    // validation above only passed because the token is set.
    expect(config.AdminListen).toBe('0.0.0.0:8081');
    const withoutToken = await validate('no-token', JSON.stringify({ ...config, AdminToken: '' }));
    expect(withoutToken.code).toBe(2);
    expect(withoutToken.out).toContain('AdminToken');

    const spec = deployment.spec;
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    const pod = spec.template.spec;
    const container = pod.containers[0] as Container;
    const ports = new Map(container.ports.map((port) => [port.name, port.containerPort]));
    expect(ports.get('proxy')).toBe(config.ListenPort);
    expect(ports.get('admin')).toBe(portOf(config.AdminListen));
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });

    // AGENT_GATEWAY_CONFIG points at the Secret's key inside the mounted directory (no subPath).
    const env = new Map(container.env.map((entry) => [entry.name, entry.value]));
    const configFile = env.get('AGENT_GATEWAY_CONFIG') as string;
    expect(path.basename(configFile)).toBe(fileName);
    const mount = container.volumeMounts.find((entry) => entry.mountPath === path.dirname(configFile));
    expect(mount).toMatchObject({ readOnly: true });
    expect(mount?.subPath).toBeUndefined();
    const volume = pod.volumes.find((entry) => entry.name === mount?.name);
    expect(volume?.secret.secretName).toBe(secret.metadata.name);

    // Grace period: preStop sleep + drain, with room to spare.
    const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopMs + config.DrainTimeoutMs);

    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits.memory).toBeDefined();

    expect(service.spec.selector).toEqual(spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'proxy', port: 8080, targetPort: 'proxy', protocol: 'TCP' }]);
  });
});

/** Everything in a directory tree: relative name -> inode, size and times (symlinks not followed). */
async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const name of await fs.readdir(dir, { recursive: true })) {
    const stat = await fs.lstat(path.join(dir, name));
    entries[name] = `${stat.ino} ${stat.size} ${stat.mtimeMs} ${stat.ctimeMs}`;
  }
  return entries;
}

describe('agent-gateway run on a read-only configuration mount', () => {
  it('starts, reloads on a ..data symlink swap, and writes nothing', async () => {
    // The kubelet's layout: agent-gateway.json -> ..data/agent-gateway.json, ..data -> ..<timestamp>/.
    const mount = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-ro-'));
    const port = await freePort();
    const adminPort = await freePort();
    const config = {
      ListenAddress: '127.0.0.1',
      ListenPort: port,
      AdminListen: `127.0.0.1:${adminPort}`,
      Presets: [],
      AllowedHosts: ['first.example.test'],
    };
    const writeVersion = async (name: string, value: object) => {
      await fs.mkdir(path.join(mount, name));
      await fs.writeFile(path.join(mount, name, 'agent-gateway.json'), JSON.stringify(value));
      await fs.chmod(path.join(mount, name, 'agent-gateway.json'), 0o444);
      await fs.chmod(path.join(mount, name), 0o555);
    };
    // As root, permissions do not stop writes: the gateway then runs as `nobody`, for whom they do. As
    // another user the gateway runs as that user, and the modes bind it just the same.
    const asRoot = process.getuid?.() === 0;
    const kubelet = async (change: () => Promise<void>) => {
      await fs.chmod(mount, 0o755);
      await change();
      await fs.chmod(mount, 0o555);
    };
    await writeVersion('..2026_01', config);
    await fs.symlink('..2026_01', path.join(mount, '..data'));
    await fs.symlink('..data/agent-gateway.json', path.join(mount, 'agent-gateway.json'));
    await fs.chmod(mount, 0o555);
    const before = await snapshotTree(mount);

    const gateway = await startGatewayProcess({
      config,
      dir: mount,
      writeConfig: false,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    try {
      // The permissions bind: the process is not root (a write would fail with EACCES and stop the start).
      const status = await fs.readFile(`/proc/${gateway.child.pid}/status`, 'utf8');
      expect(Number(/^Uid:\s+(\d+)/m.exec(status)?.[1])).not.toBe(0);
      expect(gateway.stderr).not.toContain('created');
      expect((await gateway.admin('/readyz')).status).toBe(200);
      gateway.signal('SIGHUP');
      // An unchanged file: SIGHUP re-reads it and changes nothing; the sync request proves it was handled.
      await gateway.sync();
      expect(gateway.eventsWithId(401)).toEqual([]);
      expect(await snapshotTree(mount)).toEqual(before);

      // The kubelet's update: a new timestamped directory, then ..data swapped by rename.
      const mark = gateway.mark();
      await kubelet(async () => {
        await writeVersion('..2026_02', { ...config, AllowedHosts: ['second.example.test'] });
        await fs.symlink('..2026_02', path.join(mount, '..data_tmp'));
        await fs.rename(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
      });
      const changed = await snapshotTree(mount);
      await gateway.waitForEvent(100, { after: mark, timeoutMs: 5000 });
      expect(gateway.eventsWithId(401)).toEqual([]);
      expect(await snapshotTree(mount)).toEqual(changed);
      expect(Object.keys(changed).filter((name) => /lock|tmp|\.json\./.test(name))).toEqual([]);
    } finally {
      await gateway.stop();
      await fs.chmod(mount, 0o755);
      for (const version of ['..2026_01', '..2026_02']) {
        await fs.chmod(path.join(mount, version), 0o755).catch(() => {});
      }
      await fs.rm(mount, { recursive: true, force: true });
    }
    expect(gateway.exit).toEqual({ code: 0, signal: null });
  });
});
