import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.ts';

describe('redactSecrets', () => {
  it.each([
    ['azcmagent connect --service-principal-id 1234 --service-principal-secret "p@ss w0rd"', 'p@ss w0rd'],
    ['azcmagent connect --service-principal-secret=abcDEF123', 'abcDEF123'],
    [
      'azcmagent connect --access-token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
      'eyJhbGciOiJSUzI1NiJ9',
    ],
    ['Authorization: Bearer abc.def-ghi', 'abc.def-ghi'],
    [
      'body: grant_type=client_credentials&client_id=x&client_secret=Zz9~supersecret&scope=y',
      'Zz9~supersecret',
    ],
    [
      'secret value Abc8Q~aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab here',
      'Abc8Q~aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab',
    ],
    ['proxy http://svc-user:Hunter2@proxy.contoso.local:3128 refused', 'Hunter2'],
    ['GET https://acct.blob.core.windows.net/c/f?sv=2021&sig=AbCd%2Bef%3D&se=2026', 'AbCd%2Bef%3D'],
    ['{"clientSecret":"s3cr3t-value","tenant":"t"}', 's3cr3t-value'],
    ['Install-AzConnectedMachine -ServicePrincipalSecret TopSecret1', 'TopSecret1'],
    ['password=hunter2;user=x', 'hunter2'],
  ])('hides the secret in %j', (line, secret) => {
    const redacted = redactSecrets(line);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
  });

  it('leaves URL paths that end in a secret-like word alone', () => {
    const line =
      'Post https://login.windows.net/t/oauth2/token: proxyconnect tcp: dial tcp 10.0.0.5:3128: connect: connection refused';
    expect(redactSecrets(line)).toBe(line);
  });

  it('leaves ordinary log lines alone', () => {
    const line =
      'time="2026-11-22T10:00:00Z" level=error msg="Failed to AzcmagentConnect ARM resource" Error="dial tcp: lookup management.azure.com: no such host"';
    expect(redactSecrets(line)).toBe(line);
  });

  test.prop([fc.string({ maxLength: 200 })])('is idempotent', (line) => {
    const once = redactSecrets(line);
    expect(redactSecrets(once)).toBe(once);
  });

  test.prop([fc.stringMatching(/^[A-Za-z0-9]{8,24}$/)])(
    'removes any --service-principal-secret value',
    (secret) => {
      expect(
        redactSecrets(`azcmagent connect --service-principal-secret ${secret} --location x`),
      ).not.toContain(` ${secret} `);
    },
  );
});
