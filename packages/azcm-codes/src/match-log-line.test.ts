import { describe, expect, it } from 'vitest';
import { FAILURE_FAMILIES } from './failure-families.ts';
import { MAX_EVIDENCE_LENGTH, matchLogLine, scanLog } from './match-log-line.ts';

const TIME = 'time="2026-11-22T10:00:00Z"';
const TENANT = 'fb84ce97-b875-4d12-b031-ef5e7edf9c8e';

/** A logrus text-formatter line as azcmagent writes it; quotes inside values are escaped. */
function logrus(level: string, msg: string, error?: string): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `${TIME} level=${level} msg=${q(msg)}${error === undefined ? '' : ` Error=${q(error)}`}`;
}

interface Case {
  family: string;
  code: string;
  endpoint?: string;
  proxy?: string;
  /** Message and error text as the agent reports them. */
  msg: string;
  error: string;
}

const CASES: Case[] = [
  {
    family: 'network-unreachable',
    code: 'AZCM0026',
    endpoint: 'login.windows.net',
    msg: 'Failed to acquire authorization token device flow',
    error: `Error occurred while sending request for Device Authorization Code: Post https://login.windows.net/${TENANT}/oauth2/devicecode?api-version=1.0:  dial tcp 40.126.9.7:443: connect: network is unreachable.`,
  },
  {
    family: 'network-forbidden',
    code: 'AZCM0026',
    endpoint: 'login.windows.net',
    msg: 'Failed to acquire authorization token device flow',
    error: `Error occurred while sending request for Device Authorization Code: Post https://login.windows.net/${TENANT}/oauth2/devicecode?api-version=1.0:  dial tcp 40.126.9.7:443: connect: network is Forbidden`,
  },
  {
    family: 'dns-no-such-host',
    code: 'AZCM0026',
    endpoint: 'login.windows.net',
    msg: 'Failed to acquire authorization token device flow',
    error: `Error occurred while sending request for Device Authorization Code: Post https://login.windows.net/${TENANT}/oauth2/devicecode?api-version=1.0:  dial tcp lookup login.windows.net: no such host`,
  },
  {
    family: 'network-forbidden',
    code: 'AZCM0026',
    endpoint: 'login.windows.net',
    msg: 'Failed to acquire authorization token from SPN',
    error: `Failed to execute the refresh request. Error = 'Post https://login.windows.net/${TENANT}/oauth2/token?api-version=1.0: Forbidden'`,
  },
  {
    family: 'invalid-client-secret',
    code: 'AZCM0041',
    msg: 'Failed to acquire authorization token from SPN',
    error: 'Invalid client secret is provided',
  },
  {
    family: 'application-not-found',
    code: 'AZCM0041',
    msg: 'Failed to acquire authorization token from SPN',
    error:
      "Application with identifier '0d5e4c41-7a2b-4f8e-9c3d-2b1a0f9e8d7c' was not found in the directory '6a1f0c7e-3b2d-4e5f-8a9b-0c1d2e3f4a5b'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant",
  },
  {
    family: 'authorization-failed',
    code: 'AZCM0042',
    msg: 'Get ARM Resource Response',
    error:
      "The client 'admin@contoso.com' with object id '1c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f' does not have authorization to perform action 'Microsoft.HybridCompute/machines/read' over scope '/subscriptions/2b3c4d5e-6f7a-8b9c-0d1e-2f3a4b5c6d7e/resourcegroups/arc-rg/providers/Microsoft.HybridCompute/machines/SRV01' or the scope is invalid. If access was recently granted, please refresh your credentials.\"}}\" Status Code=403",
  },
  {
    family: 'provider-not-registered',
    code: 'AZCM0042',
    msg: 'Failed to AzcmagentConnect ARM resource',
    error: "The subscription is not registered to use namespace 'Microsoft.HybridCompute'",
  },
  {
    family: 'network-forbidden',
    code: 'AZCM0026',
    endpoint: 'management.azure.com',
    msg: 'Failed to AzcmagentConnect ARM resource',
    error:
      'Get https://management.azure.com/subscriptions/2b3c4d5e-6f7a-8b9c-0d1e-2f3a4b5c6d7e/resourcegroups/arc-rg/providers/Microsoft.HybridCompute/machines/SRV01?api-version=2019-03-18-preview:  Forbidden',
  },
  {
    family: 'tls-unknown-authority',
    code: 'AZCM0026',
    endpoint: 'gbl.his.arc.azure.com',
    msg: 'Failed to get MSI certificate from HIS',
    error:
      'Post "https://gbl.his.arc.azure.com/discovery?location=westeurope": x509: certificate signed by unknown authority',
  },
  {
    family: 'tls-handshake-failed',
    code: 'AZCM0026',
    endpoint: 'login.microsoftonline.com',
    msg: 'Failed to acquire authorization token from SPN',
    error: `Post "https://login.microsoftonline.com/${TENANT}/oauth2/token": tls: failed to verify certificate: x509: certificate is valid for proxy.corp.example, not login.microsoftonline.com`,
  },
  {
    family: 'proxyconnect-refused',
    code: 'AZCM0026',
    endpoint: 'login.microsoftonline.com',
    proxy: '10.20.30.40:3128',
    msg: 'Failed to acquire authorization token from SPN',
    error: `Post "https://login.microsoftonline.com/${TENANT}/oauth2/token": proxyconnect tcp: dial tcp 10.20.30.40:3128: connect: connection refused`,
  },
  {
    family: 'proxy-unreachable',
    code: 'AZCM0026',
    endpoint: 'management.azure.com',
    proxy: 'proxy.corp.example',
    msg: 'Failed to AzcmagentConnect ARM resource',
    error:
      'Get "https://management.azure.com/subscriptions?api-version=2020-01-01": proxyconnect tcp: dial tcp: lookup proxy.corp.example: no such host',
  },
  {
    family: 'proxy-auth-required',
    code: 'AZCM0026',
    endpoint: 'eus.his.arc.azure.com',
    msg: 'Failed to download MSI certificate',
    error: 'Get "https://eus.his.arc.azure.com/agent/msicert": Proxy Authentication Required',
  },
  {
    family: 'timeout',
    code: 'AZCM0026',
    endpoint: 'westeurope-gas.guestconfiguration.azure.com',
    msg: 'Extension manager request failed',
    error:
      'Get "https://westeurope-gas.guestconfiguration.azure.com/extensionService/v1/settings": dial tcp 20.50.2.1:443: i/o timeout',
  },
  {
    family: 'timeout',
    code: 'AZCM0026',
    endpoint: 'agentserviceapi.guestconfiguration.azure.com',
    msg: 'Heartbeat failed',
    error:
      'Post "https://agentserviceapi.guestconfiguration.azure.com/v1/heartbeat": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
  },
  {
    family: 'connection-reset',
    code: 'AZCM0026',
    endpoint: 'pas.windows.net',
    msg: 'Token refresh failed',
    error:
      'Post "https://pas.windows.net/CheckMyAccess/Linux/.well-known/openid-configuration": read tcp 192.168.1.20:51432->20.190.160.1:443: read: connection reset by peer',
  },
  {
    family: 'connection-refused',
    code: 'AZCM0026',
    endpoint: 'guestnotificationservice.azure.com',
    msg: 'Notification channel failed',
    error:
      'Get "https://guestnotificationservice.azure.com/urls": dial tcp 52.1.2.3:443: connect: connection refused',
  },
  {
    family: 'network-unreachable',
    code: 'AZCM0026',
    endpoint: 'gbl.his.arc.azure.com',
    msg: 'Failed to get MSI certificate from HIS',
    error:
      'Get "https://gbl.his.arc.azure.com/discovery": dial tcp 20.38.1.1:443: connectex: A socket operation was attempted to an unreachable network.',
  },
  {
    family: 'connection-reset',
    code: 'AZCM0026',
    endpoint: 'agentserviceapi.guestconfiguration.azure.com',
    msg: 'Heartbeat failed',
    error:
      'Post "https://agentserviceapi.guestconfiguration.azure.com/v1": read tcp 10.1.1.4:50011->20.1.2.3:443: wsarecv: An existing connection was forcibly closed by the remote host.',
  },
  // Installation scripts, msiexec and package managers (messages as the scripts print them).
  {
    family: 'msi-download-failed',
    code: 'AZCM0148',
    msg: 'Installation failed',
    error:
      'Download failed: Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host.',
  },
  {
    family: 'msi-fatal-error',
    code: 'AZCM0156',
    msg: 'MSI (s) (2C:C4) [02:22:15:584]: Product: Azure Connected Machine Agent',
    error: 'Installation success or error status: 1603.',
  },
  {
    family: 'agent-service-start-failed',
    code: 'AZCM0156',
    msg: 'WixQuietExec64:  Start-Service',
    error:
      "Service 'Guest Configuration Extension service (ExtensionService)' cannot be started due to the following error: Cannot start service ExtensionService on computer '.'.",
  },
  {
    family: 'msi-another-installation',
    code: 'AZCM0159',
    msg: 'Installation failed: [1618]',
    error:
      'Another installation is already in progress. Complete that installation before proceeding with this install.',
  },
  {
    family: 'msi-disk-full',
    code: 'AZCM0158',
    msg: 'Installation failed: [112]',
    error: 'There is not enough space on the disk.',
  },
  {
    family: 'msi-log-unwritable',
    code: 'AZCM0160',
    msg: 'Installation failed: [1622]',
    error:
      'Error opening installation log file. Verify that the specified log file location exists and that you can write to it.',
  },
  {
    family: 'msi-x64-only',
    code: 'AZCM0153',
    msg: 'Installation failed: [1633]',
    error:
      'This installation package is not supported by this processor type. Unsupported: Azure Connected Machine Agent is only compatible with X64 operating systems',
  },
  {
    family: 'windows-prerequisite-missing',
    code: 'AZCM0151',
    msg: 'Installation failed',
    error: 'Azure Connected Machine Agent requires .NET Framework version 4.5 or later',
  },
  {
    family: 'not-elevated',
    code: 'AZCM0018',
    msg: 'azcmagent connect',
    error: 'You must be root to execute /usr/bin/azcmagent',
  },
  {
    family: 'azure-vm',
    code: 'AZCM0141',
    endpoint: 'aka.ms',
    msg: '/tmp/install_linux_azcmagent.sh',
    error:
      'cannot install Azure Connected Machine agent on an Azure Virtual Machine. To connect an Azure VM for TESTING PURPOSES ONLY, see https://aka.ms/azcmagent-testwarning for more details.',
  },
  {
    family: 'no-systemd',
    code: 'AZCM0130',
    msg: 'install_linux_azcmagent.sh',
    error:
      "Azure Connected Machine Agent requires systemd, and that the command 'systemctl' be found in your PATH",
  },
  {
    family: 'unsupported-os',
    code: 'AZCM0132',
    endpoint: 'learn.microsoft.com',
    msg: 'install_linux_azcmagent.sh',
    error:
      'unsupported platform: armv7l:Linux. For supported OSs, see https://learn.microsoft.com/en-us/azure/azure-arc/servers/prerequisites#supported-operating-systems',
  },
  {
    family: 'package-install-failed',
    code: 'AZCM0143',
    msg: '/root/install_linux_azcmagent.sh',
    error: "error installing azcmagent (exit code: 100). See 'apt' command logs for more information.",
  },
  {
    family: 'repository-metadata-invalid',
    code: 'AZCM0143',
    endpoint: 'packages.microsoft.com',
    msg: 'Err:1 https://packages.microsoft.com/ubuntu/22.04/prod jammy main',
    error: "Clearsigned file isn't valid, got 'NOSPLIT' (does the network require authentication?)",
  },
  {
    family: 'package-manager-locked',
    code: 'AZCM0145',
    msg: 'install_linux_azcmagent.sh',
    error:
      'file /var/lib/dpkg/lock-frontend or /var/lib/apt/lists/lock is still busy after 5 minutes. Please make sure no other apt/dpkg updates is still running, and retry again.',
  },
  {
    family: 'repository-config-download-failed',
    code: 'AZCM0146',
    endpoint: 'packages.microsoft.com',
    msg: 'install_linux_azcmagent.sh',
    error:
      'download of https://packages.microsoft.com/config/ubuntu/22.04/packages-microsoft-prod.deb errored',
  },
  {
    family: 'desired-version-not-found',
    code: 'AZCM0147',
    msg: 'install_linux_azcmagent.sh',
    error: 'desired_version not found: 1.99',
  },
  {
    family: 'agent-package-not-found',
    code: 'AZCM0148',
    msg: 'Install-AzureArcAgent',
    error: "Could not find file '\\\\fileserver\\arc$\\AzureConnectedMachineAgent.msi'.",
  },
  {
    family: 'local-access-denied',
    code: 'AZCM0018',
    msg: "Copy-Item : Access to the path '\\\\fs01\\ArcOnboarding\\AzureArcDeploy\\ArcInfo.json' is denied.",
    error:
      '+ FullyQualifiedErrorId : System.UnauthorizedAccessException,Microsoft.PowerShell.Commands.CopyItemCommand',
  },
  {
    family: 'agent-service-start-failed',
    code: 'AZCM0061',
    msg: 'systemd[1]: himdsd.service: Main process exited, code=exited, status=1/FAILURE',
    error: 'Failed to start Azure Connected Machine Agent Service.',
  },
  // Applications using the machine's managed identity.
  {
    family: 'azure-imds-on-arc',
    code: 'AZCM0061',
    msg: 'ManagedIdentityCredential.get_token failed',
    error:
      "HTTPConnectionPool(host='169.254.169.254', port=80): Max retries exceeded with url: /metadata/identity/oauth2/token?resource=https%3A%2F%2Fvault.azure.net (Caused by ConnectTimeoutError('Connection to 169.254.169.254 timed out. (connect timeout=2)'))",
  },
  {
    family: 'arc-identity-token-access',
    code: 'AZCM0018',
    msg: 'Invoke-WebRequest failed reading the challenge token',
    error: "Access to the path 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\0f3c.key' is denied.",
  },
  {
    family: 'arc-identity-user-assigned',
    code: 'AZCM0041',
    msg: 'ManagedIdentityCredential authentication unavailable',
    error: "Azure Arc doesn't support user-assigned managed identities",
  },
  {
    family: 'arc-identity-wrong-audience',
    code: 'AZCM0041',
    msg: 'BlobClient.exists failed: 401 Server failed to authenticate the request',
    error: 'AuthenticationErrorDetail:Audience validation failed. Audience did not match.',
  },
  // Extensions.
  {
    family: 'extension-request-rejected',
    code: 'AZCM0074',
    msg: 'Set-AzConnectedMachineExtension_UpdateExpanded',
    error:
      'The request does not have the mandatory extension properties in the body to perform the operation. Missing properties: Publisher',
  },
  {
    family: 'extension-path-noexec',
    code: 'AZCM0074',
    msg: 'Extension failed to enable',
    error:
      "Extension path '/var/lib/waagent/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.33.1' has the 'noexec' flag set.",
  },
  {
    family: 'extension-handler-missing',
    code: 'AZCM0074',
    msg: 'Uninstalling extension Microsoft.Azure.Monitor.AzureMonitorWindowsAgent',
    error:
      'HandlerManifest.json not found in C:\\Packages\\Plugins\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.10.0.0',
  },
  // Azure Local registration and guest management.
  {
    family: 'hci-node-registration-connectivity',
    code: 'AZCM0026',
    msg: 'Register-AzStackHCI',
    error:
      "Failed to register. Couldn't generate self-signed certificate on node(s) HOST3. Couldn't set and verify registration certificate on node(s) HOST1,HOST2.",
  },
  {
    family: 'hci-arc-integration-failed',
    code: 'AZCM0063',
    msg: 'Unregister-AzStackHCI',
    error:
      "Couldn't disable Azure Arc integration on Node HOST2. Try running the Disable-AzureStackHCIArcIntegration cmdlet on the node.",
  },
  {
    family: 'hci-cloud-connection-failed',
    code: 'AZCM0026',
    msg: 'Microsoft-AzureStack-HCI/Admin Event ID 585',
    error:
      'Azure Stack HCI failed to renew license from Azure. To get more details about the specific error, enable the Microsoft-AzureStack-HCI/Debug event channel.',
  },
  {
    family: 'guest-login-failed',
    code: 'AZCM0041',
    msg: 'Enabling guest management failed',
    error: 'InvalidGuestLogin: Failed to authenticate to the system with the credentials.',
  },
  // The agent's own failures.
  {
    family: 'os-discovery-failed',
    code: 'AZCM0104',
    msg: 'Failed to discover OS information for onboarding',
    error: 'Failed to obtain FqdnDNS: ',
  },
  {
    family: 'private-link-scope-mismatch',
    code: 'AZCM0026',
    msg: 'Check network connectivity to all endpoints',
    error:
      'No indication of Private Link Scope but found private endpoint agentserviceapi.guestconfiguration.azure.com: 10.0.0.4',
  },
  {
    family: 'heartbeat-auth-failed',
    code: 'AZCM0041',
    msg: 'error connecting machine to Azure',
    error:
      'failed to send a heartbeat: [certStore] ClientAssertionCredential authentication failed. RESPONSE 400: 400 Bad Request',
  },
  {
    family: 'arm-request-forbidden',
    code: 'AZCM0042',
    msg: 'Failed to AzcmagentConnect ARM resource',
    error: 'Get Resource Failed with Status Code: 403',
  },
  {
    family: 'arm-resource-not-found',
    code: 'AZCM0042',
    endpoint: 'management.azure.com',
    msg: 'Failed to AzcmagentConnect ARM resource',
    error:
      'PUT https://management.azure.com/subscriptions/x/resourceGroups/rg-typo/providers/Microsoft.HybridCompute/machines/srv01: RESPONSE 404: ResourceGroupNotFound',
  },
  {
    family: 'extension-manager-network',
    code: 'AZCM0026',
    msg: '<GCLOG>[2024-05-26 03:01:21.423] [TELEMETRY BOOST_BEAST_WRAPPER] [ERROR] Failed to stop and clean up tcp socket',
    error: 'connected to host japaneast-gas.guestconfiguration.azure.com [system:10009]</GCLOG>',
  },
  {
    family: 'certificate-assertion-rejected',
    code: 'AZCM0041',
    msg: 'Failed to get MSI certificate from HIS',
    error:
      'AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired.]',
  },
  {
    family: 'esu-license-validation-failed',
    code: 'AZCM0026',
    msg: 'ESU: Trying to Check IMDS Again',
    error: 'LastError=HRESULT_FROM_WIN32(12029)',
  },
  {
    family: 'esu-not-eligible',
    code: 'AZCM0061',
    msg: 'ESU: not eligible',
    error: 'HRESULT_FROM_WIN32(1633)',
  },
  {
    family: 'heartbeat-failed',
    code: 'AZCM0026',
    msg: 'Failed to send heartbeat',
    error: 'unexpected response from the service',
  },
  {
    family: 'connect-failed',
    code: 'AZCM0062',
    msg: 'error connecting machine to Azure',
    error: 'the operation could not be completed',
  },
  {
    family: 'entra-sign-in-error',
    code: 'AZCM0041',
    msg: 'Failed to acquire authorization token',
    error:
      'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.',
  },
  {
    family: 'socket-error',
    code: 'AZCM0026',
    endpoint: 'gbl.his.arc.azure.com',
    msg: 'Failed to get MSI certificate from HIS',
    error:
      'Get "https://gbl.his.arc.azure.com/discovery": read tcp 10.1.1.4:50011->20.1.2.3:443: wsarecv: Der Vorgang wurde abgebrochen.',
  },
];

describe('matchLogLine on realistic agent lines', () => {
  it('covers every failure family', () => {
    expect(new Set(CASES.map((c) => c.family))).toEqual(new Set(FAILURE_FAMILIES.map((f) => f.name)));
  });

  describe.each(CASES.map((c, i) => [`${c.family} #${i}`, c] as const))('%s', (_, c) => {
    const check = (line: string) => {
      const findings = matchLogLine(line);
      const f = findings.find((x) => x.family === c.family);
      expect(f, JSON.stringify(findings.map((x) => x.family))).toBeDefined();
      expect(f?.code.code).toBe(c.code);
      expect(f?.endpoint).toBe(c.endpoint);
      expect(f?.proxy).toBe(c.proxy);
      expect(f?.line).toBeUndefined();
      expect(f?.hint?.en.fix.length).toBeGreaterThan(10);
      expect(f?.hint?.de.fix.length).toBeGreaterThan(10);
      return f!;
    };

    const bare = (evidence: string) => evidence.replace(/^…|…$/g, '');

    it('in a logrus line (azcmagent.log)', () => {
      const f = check(logrus('error', c.msg, c.error));
      // Evidence is the unescaped message and error, not the raw line.
      expect(`${c.msg} | Error=${c.error}`).toContain(bare(f.evidence));
      expect(f.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE_LENGTH + 2);
    });

    it('in plain console output', () => {
      const line = `FATAL   ${c.msg}: ${c.error}`;
      const f = check(line);
      expect(line).toContain(bare(f.evidence));
      expect(f.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE_LENGTH + 2);
    });
  });
});

describe('matchLogLine details', () => {
  it('takes the host from "dial tcp: lookup HOST: no such host"', () => {
    const [f] = matchLogLine('dial tcp: lookup login.microsoftonline.com: no such host');
    expect(f).toMatchObject({
      family: 'dns-no-such-host',
      endpoint: 'login.microsoftonline.com',
      kind: 'dns',
    });
  });

  it('takes the looked-up name, not the resolver, from "lookup HOST on RESOLVER"', () => {
    const [f] = matchLogLine(
      'Get "https://management.azure.com/x": dial tcp: lookup management.azure.com on 127.0.0.53:53: server misbehaving',
    );
    expect(f?.endpoint).toBe('management.azure.com');
  });

  it('falls back to the dialled address when no URL is present', () => {
    const [f] = matchLogLine('dial tcp 40.126.9.7:443: connect: network is unreachable');
    expect(f?.endpoint).toBe('40.126.9.7');
  });

  it('handles IPv6 literals', () => {
    const [f] = matchLogLine('dial tcp [2603:1030:7::1]:443: i/o timeout');
    expect(f?.endpoint).toBe('2603:1030:7::1');
    const [p] = matchLogLine(
      'Get "https://gbl.his.arc.azure.com/": proxyconnect tcp: dial tcp [fd00::5]:8080: connect: connection refused',
    );
    expect(p?.proxy).toBe('[fd00::5]:8080');
  });

  it('hands proxyconnect failures to the proxy families only', () => {
    const families = matchLogLine(
      'Post "https://login.microsoftonline.com/t": proxyconnect tcp: dial tcp 10.0.0.5:3128: connect: connection refused',
    ).map((f) => f.family);
    expect(families).toEqual(['proxyconnect-refused']);
  });

  it('reports a timeout towards the proxy with the proxy named', () => {
    const [f] = matchLogLine(
      'Post "https://login.microsoftonline.com/t": proxyconnect tcp: dial tcp 10.0.0.5:3128: i/o timeout',
    );
    expect(f).toMatchObject({
      family: 'timeout',
      proxy: '10.0.0.5:3128',
      endpoint: 'login.microsoftonline.com',
    });
  });

  it('does not read a 403 authorization failure as a blocked network', () => {
    const families = matchLogLine(logrus('error', 'Get ARM Resource Response', CASES[6]!.error)).map(
      (f) => f.family,
    );
    expect(families).toEqual(['authorization-failed']);
  });

  it('mentions the profile-deleting Group Policy for device-flow DNS failures only', () => {
    const device = matchLogLine(logrus('error', CASES[2]!.msg, CASES[2]!.error))[0];
    expect(device?.hint?.en.cause).toMatch(/Group Policy/);
    expect(device?.hint?.de.cause).toMatch(/Gruppenrichtlinie/);
    const plain = matchLogLine('dial tcp: lookup management.azure.com: no such host')[0];
    expect(plain?.hint?.en.cause).not.toMatch(/Group Policy/);
  });

  it("leaves the agent's own probe for Azure to the agent, and names Azure IMDS only when a request fails", () => {
    const probe = logrus(
      'debug',
      'Communicating with IMDS. unable to communicate with endpoint http://169.254.169.254/metadata/instance/compute?api-version=2019-06-01',
    );
    expect(matchLogLine(probe)).toEqual([]);
    expect(matchLogLine('GET http://169.254.169.254/metadata/identity/oauth2/token 200 OK')).toEqual([]);
    const failed = matchLogLine('dial tcp 169.254.169.254:80: connect: connection refused').map(
      (f) => f.family,
    );
    expect(failed).toEqual(['connection-refused', 'azure-imds-on-arc']);
  });

  it('leaves a denied token file to the managed identity family, other denied paths to the access family', () => {
    const token = matchLogLine(
      "Access to the path 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\0f3c.key' is denied.",
    ).map((f) => f.family);
    expect(token).toEqual(['arc-identity-token-access']);
    const share = matchLogLine(
      'Set-Acl : Attempted to perform an unauthorized operation. At C:\\Temp\\DeployGPO.ps1:108 char:1',
    ).map((f) => f.family);
    expect(share).toEqual(['local-access-denied']);
  });

  it('reads the cmdlet wording of a rejected extension request like the resource provider code', () => {
    const cmdlet = matchLogLine(
      'New-AzConnectedMachineExtension_CreateExpanded: The requested resource was not found.',
    );
    expect(cmdlet.map((f) => f.family)).toEqual(['extension-request-rejected']);
    expect(matchLogLine('GET /api/items/42: the requested resource was not found')).toEqual([]);
  });

  it('reads HybridConnectivity and other providers not being registered alike', () => {
    const [f] = matchLogLine('Request for Azure Relay Information Failed: (NoRegisteredProviderFound)');
    expect(f).toMatchObject({ family: 'provider-not-registered', code: { code: 'AZCM0042' } });
  });

  it("reports a service that cannot start only when it is one of the agent's", () => {
    expect(matchLogLine('Failed to start Docker Application Container Engine.')).toEqual([]);
    expect(
      matchLogLine('Failed to start himdsd.service - Azure Connected Machine Agent Service.')[0],
    ).toMatchObject({ family: 'agent-service-start-failed', code: { code: 'AZCM0061' } });
  });

  it('tells the Azure Local registration steps apart: connecting nodes, disconnecting them', () => {
    const connect = matchLogLine("WARNING: Some clustered nodes couldn't be Arc-enabled right now.")[0];
    expect(connect).toMatchObject({ family: 'hci-arc-integration-failed', code: { code: 'AZCM0062' } });
    const disable = matchLogLine("ERROR: Couldn't disable Azure Arc integration on Node HOST1")[0];
    expect(disable?.code.code).toBe('AZCM0063');
  });

  it('finds explicit AZCM codes anywhere in a line, once each', () => {
    const findings = matchLogLine(
      `${TIME} level=fatal msg="Connect failed" Code=AZCM0062 Inner="AZCM0041: bad credentials (AZCM0041)"`,
    );
    expect(findings.map((f) => [f.family, f.code.code])).toEqual([
      ['explicit-code', 'AZCM0062'],
      ['explicit-code', 'AZCM0041'],
    ]);
    expect(matchLogLine('Error: exit status AZCM0026 network').map((f) => f.code.code)).toEqual(['AZCM0026']);
    expect(matchLogLine('azcm0018: run as administrator')[0]?.code.code).toBe('AZCM0018');
  });

  it('finds the code in a provisioning error as Azure reports it', () => {
    const line =
      "Provisioning of the resource failed with Code: 'AZCM0143', Message: 'install_linux_azcmagent.sh: installation error'";
    expect(matchLogLine(line).map((f) => [f.family, f.code.code])).toEqual([
      ['explicit-code', 'AZCM0143'],
      ['package-install-failed', 'AZCM0143'],
    ]);
  });

  it('ignores codes that are not whole or not documented', () => {
    expect(matchLogLine('XAZCM0041 AZCM00411 AZCM041 AZCM0134')).toEqual([]);
  });

  it('strips ANSI colours from console output', () => {
    const [f] = matchLogLine('\u001b[31mFATAL\u001b[0m   AZCM0044: a resource with that name exists');
    expect(f?.code.code).toBe('AZCM0044');
    expect(f?.evidence).not.toContain('\u001b');
  });

  it('unescapes quoted logrus values before matching', () => {
    const [f] = matchLogLine(
      `${TIME} level=error msg="request failed" Error="Get \\"https://pas.windows.net/x\\": read: connection reset by peer"`,
    );
    expect(f).toMatchObject({ family: 'connection-reset', endpoint: 'pas.windows.net' });
    expect(f?.evidence).toContain('Get "https://pas.windows.net/x"');
  });

  it('still matches malformed or truncated logrus lines as plain text', () => {
    const truncated = `${TIME} level=error msg="dial tcp: lookup login.microsoftonline.com: no such ho`;
    expect(matchLogLine(truncated)).toEqual([]);
    const unclosed = `${TIME} level=error msg="dial tcp: lookup login.microsoftonline.com: no such host`;
    expect(matchLogLine(unclosed)[0]?.endpoint).toBe('login.microsoftonline.com');
  });

  it('carries the logrus level, and none for console output', () => {
    expect(
      matchLogLine(logrus('warning', 'retrying', 'dial tcp: lookup pas.windows.net: no such host'))[0]?.level,
    ).toBe('warning');
    expect(matchLogLine('dial tcp: lookup pas.windows.net: no such host')[0]?.level).toBeUndefined();
  });

  it('finds nothing in harmless lines', () => {
    for (const line of [
      'Applying connection reset policy: none',
      '',
      `${TIME} level=info msg="Agent started" version=1.47.02822.1962`,
      'Connected machine to Azure',
      'Latency to management.azure.com was 25 ms',
    ]) {
      expect(matchLogLine(line)).toEqual([]);
    }
  });

  it('bounds the evidence of a very long line around the match', () => {
    const line = `${'x'.repeat(5000)} dial tcp: lookup login.microsoftonline.com: no such host ${'y'.repeat(5000)}`;
    const [f] = matchLogLine(line);
    expect(f?.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE_LENGTH + 2);
    expect(f?.evidence).toContain('no such host');
    expect(f?.evidence.startsWith('…')).toBe(true);
    expect(f?.evidence.endsWith('…')).toBe(true);
  });
});

describe('scanLog', () => {
  it('reports findings with 1-based line numbers, across LF and CRLF', () => {
    const text = [
      logrus('info', 'Onboarding'),
      logrus('error', CASES[4]!.msg, CASES[4]!.error),
      'plain line',
      `FATAL   ${CASES[2]!.msg}: ${CASES[2]!.error}`,
      '',
      'exit code AZCM0041',
    ].join('\r\n');
    const got = scanLog(text).map((f) => [f.line, f.family, f.code.code]);
    expect(got).toEqual([
      [2, 'invalid-client-secret', 'AZCM0041'],
      [4, 'dns-no-such-host', 'AZCM0026'],
      [6, 'explicit-code', 'AZCM0041'],
    ]);
  });

  it('returns nothing for empty input and counts a trailing line without newline', () => {
    expect(scanLog('')).toEqual([]);
    expect(scanLog('\n\n\nAZCM0018')[0]?.line).toBe(4);
    expect(scanLog(undefined as unknown as string)).toEqual([]);
  });
});
