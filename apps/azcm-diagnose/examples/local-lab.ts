// A local lab for trying azcm-diagnose without touching Azure: the same real servers the tests use, all on
// 127.0.0.1. Run from apps/azcm-diagnose after `npm run build`:  node examples/local-lab.ts
// It prints the commands to try and keeps running until Ctrl-C.
import { arcEndpoints } from '@agent-gateway/azcm-codes';
import { certPath } from '@agent-gateway/test-support';
import { probeHostFor } from '../src/gateway.ts';
import { startRealGateway } from '../test/support/agent-gateway.ts';
import { startDnsServer } from '../test/support/dns-server.ts';
import {
  refusedPort,
  startAuthProxy,
  startAzureLikeServer,
  startInterceptingServer,
  startSilentServer,
} from '../test/support/servers.ts';
import { startSquid } from '../test/support/squid.ts';

const names = arcEndpoints('AzureCloud', 'westeurope').map((e) => probeHostFor(e.host));
const loopback = Object.fromEntries(names.map((name) => [name, '127.0.0.1']));
const [azure, intercepting, silent, authProxy, closed, dns] = await Promise.all([
  startAzureLikeServer(),
  startInterceptingServer(),
  startSilentServer(),
  startAuthProxy(),
  refusedPort(),
  startDnsServer(Object.fromEntries(Object.entries(loopback).filter(([name]) => name !== 'pas.windows.net'))),
]);
const squid = await startSquid({
  allow: ['management.azure.com', 'login.microsoftonline.com', '.his.arc.azure.com', 'login.windows.net'],
  hosts: loopback,
});
// The real agent-gateway (../gateway, run from source), its allowlist lacking a few hosts every agent needs.
// Every Arc name dials 127.0.0.1; the Arc ports are moved to the Azure-like server (or the refused port).
const gateway = await startRealGateway({
  Presets: [],
  AllowedHosts: [
    'login.microsoftonline.com',
    '*.login.microsoft.com',
    'login.windows.net',
    'management.azure.com',
    '*.his.arc.azure.com',
    'guestnotificationservice.azure.com',
    '*.guestnotificationservice.azure.com',
    'download.microsoft.com',
    'packages.microsoft.com',
    '*.waconazure.com',
    'dc.services.visualstudio.com',
    'www.microsoft.com',
    'dls.microsoft.com',
    '*.westeurope.arcdataservices.com',
  ],
  AllowedPorts: [azure.port, closed],
  HostOverrides: loopback,
  AllowedDestinationNetworks: ['127.0.0.0/8'],
});

const seams = `--ca-file ${certPath('ca.crt')} --dns-server 127.0.0.1:${dns.port}`;
console.log(`Azure-like TLS server   127.0.0.1:${azure.port} (test CA)
TLS-inspecting server   127.0.0.1:${intercepting.port} (untrusted CA)
silent port             127.0.0.1:${silent.port}
refused port            127.0.0.1:${closed}
DNS server              127.0.0.1:${dns.port} (every Arc name -> 127.0.0.1, except pas.windows.net)
squid                   ${squid.url} (allows management, login.microsoftonline, *.his.arc, login.windows.net)
407 proxy               http://127.0.0.1:${authProxy.port}
agent-gateway           ${gateway.url} (lacks pas, *.guestconfiguration, azgn*.servicebus, *.blob; admin ${gateway.adminUrl}/status)
  configuration         ${gateway.configFile}

Try:
  node dist/cli.js check --location westeurope ${seams} \\
    --connect-to login.windows.net:443::${intercepting.port} --connect-to gbl.his.arc.azure.com:443::${silent.port} \\
    --connect-to login.microsoftonline.com:443::${closed} --connect-to :443::${azure.port} --connect-to :80::${azure.port} --timeout 2000
  node dist/cli.js check --proxy ${squid.url} ${seams} --connect-to :443::${azure.port} --only management.azure.com --only pas.windows.net
  node dist/cli.js gateway --proxy ${squid.url} --location westeurope --connect-to :443::${azure.port} --connect-to :80::${azure.port}
  node dist/cli.js gateway --proxy ${gateway.url} --location westeurope --connect-to :443::${azure.port} --connect-to :80::${azure.port}
  node dist/cli.js check --proxy ${gateway.url} --ca-file ${certPath('ca.crt')} --connect-to login.windows.net:443::${closed} \\
    --connect-to :443::${azure.port} --only management.azure.com --only pas.windows.net --only login.windows.net
  node ../gateway/src/cli.ts --config ${gateway.configFile} allowed-host add pas.windows.net
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, async () => {
    await Promise.all([
      azure.close(),
      intercepting.close(),
      silent.close(),
      authProxy.close(),
      dns.close(),
      squid.close(),
      gateway.close(),
    ]);
    process.exit(0);
  });
