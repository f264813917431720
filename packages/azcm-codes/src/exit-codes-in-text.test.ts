import { describe, expect, it } from 'vitest';
import { azcmCodeForMsiExitCode, findExitCodes } from './exit-codes-in-text.ts';

const codes = (text: string) => findExitCodes(text).map((e) => [e.code.code, e.command, e.exitCode]);

describe('findExitCodes', () => {
  it('reads azcmagent exit codes as AZCM codes', () => {
    expect(codes('AZCMAgent command failed with error:  >> exitcode: 42. Additional Info')).toEqual([
      ['AZCM0042', 'azcmagent', 42],
    ]);
    expect(codes('azcmagent connect returned exit code 26')).toEqual([['AZCM0026', 'azcmagent', 26]]);
  });

  it('maps msiexec exit codes through the installation script table', () => {
    expect(codes('MainEngineThread is returning 1603')).toEqual([['AZCM0156', 'msiexec', 1603]]);
    expect(codes('Installation failed: [1618]: Another installation is already in progress.')).toEqual([
      ['AZCM0159', 'msiexec', 1618],
    ]);
    expect(codes('msiexec.exe /i AzureConnectedMachineAgent.msi exit code 112')).toEqual([
      ['AZCM0158', 'msiexec', 112],
    ]);
    expect(azcmCodeForMsiExitCode(1633)?.code).toBe('AZCM0153');
    expect(azcmCodeForMsiExitCode(1602)).toBeUndefined();
  });

  it("leaves package managers' and other tools' codes alone", () => {
    expect(
      codes(
        "install_linux_azcmagent.sh: error installing azcmagent (exit code: 100). See 'apt' command logs",
      ),
    ).toEqual([]);
    expect(
      codes(
        'dpkg: warning: old azcmagent package pre-removal script subprocess returned error exit status 1',
      ),
    ).toEqual([]);
    // A line of its own, without "dpkg" before it: still the package script's status.
    expect(
      codes(' installed azcmagent package post-installation script subprocess returned error exit status 1'),
    ).toEqual([]);
    expect(codes('curl: (7) exit code 7 while fetching')).toEqual([]);
    expect(codes('the job returned 42 rows')).toEqual([]);
  });
});
