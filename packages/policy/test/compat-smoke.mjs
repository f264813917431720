// Run by tools/node-compat under the oldest supported Node: the built package must decide correctly there,
// including the IDNA mapping it borrows from the runtime's URL parser.
import { compilePolicy, normalizeHost, parseAuthority } from '@agent-gateway/policy';

const policy = compilePolicy({
  allowedHosts: ['*.example.com', 'bücher.example', '10.0.0.0/8'],
  deniedHosts: ['secret.example.com'],
  allowedClientCertificateSubjects: ['CN=agent-1'],
  presets: ['log-analytics', 'azure-arc:AzureCloud', 'automation:westeurope'],
});

const checks = [
  [policy.decideTarget('A.Example.com.', 443).allow, true],
  [policy.decideTarget('example.com', 443).allow, false],
  [policy.decideTarget('secret.example.com', 443).reason, 'host-denied'],
  [policy.decideTarget('xn--bcher-kva.example', 443).allow, true],
  [normalizeHost('Bücher.example').ok && normalizeHost('Bücher.example').host, 'xn--bcher-kva.example'],
  [normalizeHost('１２７.０.０.１').ok, false],
  [policy.decideTarget('0x7f.1', 443).detail, 'ambiguous-ipv4'],
  [policy.decideTarget('10.1.2.3', 443).reason, 'ip-allowed'],
  [policy.decideTarget('x.his.arc.azure.com', 443).ruleId, 'preset:azure-arc:AzureCloud:*.his.arc.azure.com'],
  [policy.decideSni('a.example.com', 'A.EXAMPLE.COM').allow, true],
  [policy.decideClientCertificate('CN=agent-1,O=Contoso').allow, true],
  [policy.checkResolvedAddress('::ffff:127.0.0.1').reason, 'address-loopback'],
  [parseAuthority('[::1]:443').ok, true],
  [parseAuthority('example.com:443:80').ok, false],
];

const failed = checks.map(([got, want], index) => ({ index, got, want })).filter((c) => c.got !== c.want);
if (failed.length > 0) {
  console.error(JSON.stringify(failed));
  process.exit(1);
}
console.log('ok');
