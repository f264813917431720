// Every error code is documented in the README's table, and the table documents nothing that does not exist.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TLS_ERROR_CODES, TlsHandshakeError } from './index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const documented = [...readme.matchAll(/^\| `(TLS_[A-Z0-9_]+)` +\|/gm)].map((match) => match[1]);
const sources = [
  'record-stream.ts',
  'handshake-parser.ts',
  'client-hello.ts',
  'server-hello.ts',
  'der-reader.ts',
]
  .map((file) => readFileSync(new URL(file, import.meta.url), 'utf8'))
  .join('\n');

describe('error catalog', () => {
  it('documents every code in the README, and only those', () => {
    expect([...documented].sort()).toEqual(Object.keys(TLS_ERROR_CODES).sort());
  });

  it('describes every code', () => {
    for (const description of Object.values(TLS_ERROR_CODES)) expect(description.length).toBeGreaterThan(20);
  });

  it('uses only catalogued codes in the parser sources', () => {
    const used = new Set([...sources.matchAll(/'(TLS_[A-Z0-9_]+)'/g)].map((match) => match[1]));
    for (const code of used) expect(Object.keys(TLS_ERROR_CODES)).toContain(code);
  });

  it('carries code, cause and direction, and is recognised across copies', () => {
    const cause = new Error('inner');
    const error = new TlsHandshakeError('TLS_MALFORMED', 'bad', { cause, direction: 'server' });
    expect(error).toMatchObject({
      code: 'TLS_MALFORMED',
      cause,
      direction: 'server',
      name: 'TlsHandshakeError',
    });
    expect(error).toBeInstanceOf(Error);
    expect(TlsHandshakeError.isInstance(error)).toBe(true);
    expect(TlsHandshakeError.isInstance({ ...error })).toBe(false);
    expect(TlsHandshakeError.isInstance(new Error('x'))).toBe(false);
    expect(TlsHandshakeError.isInstance(null)).toBe(false);
  });
});
