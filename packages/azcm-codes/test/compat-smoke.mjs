// Run by tools/node-compat under the oldest supported Node: exercises the built package end to end.
import assert from 'node:assert/strict';
import {
  arcEndpoints,
  azcmCodes,
  codeForNetworkFailure,
  lookupCode,
  matchLogLine,
  scanLog,
  searchCodes,
} from '@agent-gateway/azcm-codes';

assert.ok(azcmCodes.length > 70);
assert.equal(lookupCode('azcm41')?.code, 'AZCM0041');
assert.equal(lookupCode(26)?.category, 'network');

const [finding] = matchLogLine(
  'time="2026-11-22T10:00:00Z" level=error msg="Failed to acquire authorization token device flow" Error="dial tcp: lookup login.microsoftonline.com: no such host"',
);
assert.equal(finding?.code.code, 'AZCM0026');
assert.equal(finding?.endpoint, 'login.microsoftonline.com');
assert.match(finding?.hint?.de.cause ?? '', /Gruppenrichtlinie/);

assert.equal(scanLog('ok\nFATAL AZCM0018 run elevated\n')[0]?.line, 2);
assert.equal(
  searchCodes('Schlüssel', 'de').some((c) => c.code === 'AZCM0104'),
  true,
);
assert.ok(
  arcEndpoints('AzureCloud', 'westeurope').some(
    (e) => e.host === 'westeurope-gas.guestconfiguration.azure.com',
  ),
);
assert.equal(codeForNetworkFailure('tls-unknown-ca').code.code, 'AZCM0026');
// \p{M} in a Unicode regex and Object.hasOwn must work on the oldest supported Node as well.
assert.equal(matchLogLine('x'.repeat(1 << 20)).length, 0);

console.log('ok');
