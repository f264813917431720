import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DialError, isDialError, TunnelError, tunnelErrorCodes } from '../src/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('documents every code in the README, and the README documents no other', () => {
    const documented = [...readme.matchAll(/^\| `(TUNNEL_[A-Z_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(tunnelErrorCodes).sort());
  });

  it('carries code and cause, and is recognised across copies', () => {
    const cause = new Error('inner');
    const error = new TunnelError('TUNNEL_INVALID_OPTION', 'bad', { cause });
    expect(error).toMatchObject({ code: 'TUNNEL_INVALID_OPTION', cause, name: 'TunnelError' });
    expect(TunnelError.isInstance(error)).toBe(true);
    expect(TunnelError.isInstance({ code: 'TUNNEL_INVALID_OPTION', message: 'look-alike' })).toBe(false);
    expect(TunnelError.isInstance(new Error('other'))).toBe(false);
  });

  it('gives dial errors a kind and the status a client sees', () => {
    expect(new DialError('timeout', 'slow')).toMatchObject({
      code: 'TUNNEL_DIAL_FAILED',
      kind: 'timeout',
      status: 504,
    });
    expect(new DialError('refused', 'no')).toMatchObject({ status: 502 });
    expect(isDialError(new DialError('dns', 'x'))).toBe(true);
    expect(isDialError(new TunnelError('TUNNEL_INVALID_RELAY', 'x'))).toBe(false);
  });
});
