import { describe, expect, it } from 'vitest';
import { commandName, type Invocation } from './command-name.ts';

/** A file system of symlinks: path -> real path. */
function invocation(overrides: Partial<Invocation>, files: Record<string, string>): Invocation {
  return {
    npmCommand: undefined,
    invokedAs: '/usr/bin/agent-gateway',
    singleExecutable: true,
    pathVariable: '/usr/local/bin:/usr/bin:/bin',
    realPath: (file) => files[file],
    ...overrides,
  };
}

describe('commandName', () => {
  it('is npx agent-gateway when npm started the process (a clone: npm start, npx)', () => {
    expect(commandName(invocation({ npmCommand: 'start' }, {}))).toBe('npx agent-gateway');
    expect(commandName(invocation({ npmCommand: 'exec', singleExecutable: false }, {}))).toBe(
      'npx agent-gateway',
    );
  });

  it('is the bare name for the Debian package executable in /usr/bin', () => {
    const files = { '/usr/bin/agent-gateway': '/usr/bin/agent-gateway' };
    expect(commandName(invocation({}, files))).toBe('agent-gateway');
  });

  it('is the bare name for a global npm install whose bin is a symlink on PATH', () => {
    const real = '/usr/local/lib/node_modules/agent-gateway/bin/agent-gateway.js';
    const files = { '/usr/local/bin/agent-gateway': real, [real]: real };
    // Node keeps the bin's path as typed in argv[1] (resolved, not the symlink's target).
    const invokedAs = '/usr/local/bin/agent-gateway';
    expect(commandName(invocation({ invokedAs, singleExecutable: false }, files))).toBe('agent-gateway');
  });

  it('is the path as typed for a single executable that is not on PATH', () => {
    const files = { './dist-bin/agent-gateway-linux-x64': '/srv/dist-bin/agent-gateway-linux-x64' };
    expect(commandName(invocation({ invokedAs: './dist-bin/agent-gateway-linux-x64' }, files))).toBe(
      './dist-bin/agent-gateway-linux-x64',
    );
  });

  it('is not the bare name when another program of that name comes first on PATH', () => {
    const files = {
      '/opt/gw/agent-gateway': '/opt/gw/agent-gateway',
      '/usr/bin/agent-gateway': '/usr/bin/agent-gateway',
    };
    expect(commandName(invocation({ invokedAs: '/opt/gw/agent-gateway' }, files))).toBe(
      '/opt/gw/agent-gateway',
    );
  });

  it('is node and the script for a script run by path', () => {
    const script = '/src/apps/gateway/dist/cli.js';
    expect(
      commandName(invocation({ invokedAs: script, singleExecutable: false }, { [script]: script })),
    ).toBe(`node ${script}`);
  });
});
