import * as path from 'node:path';

/**
 * Where the Connected Machine agent writes its logs: `himds.log` (the HIMDS service) and `azcmagent.log`
 * (the CLI). On Windows below `%ProgramData%\AzureConnectedMachineAgent\Log`, elsewhere below
 * `/var/opt/azcmagent/log`.
 */
export function defaultLogFiles(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (platform === 'win32') {
    const programData = env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
    const folder = path.win32.join(programData, 'AzureConnectedMachineAgent', 'Log');
    return [path.win32.join(folder, 'himds.log'), path.win32.join(folder, 'azcmagent.log')];
  }
  return ['/var/opt/azcmagent/log/himds.log', '/var/opt/azcmagent/log/azcmagent.log'];
}
