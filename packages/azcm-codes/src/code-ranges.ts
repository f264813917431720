import type { Lang } from './types.ts';

/** A block of AZCM codes the documentation describes only as a range. */
export interface AzcmCodeRange {
  /** First number of the range (inclusive). */
  from: number;
  /** Last number of the range (inclusive). */
  to: number;
  /** What codes in the range are about. */
  description: Record<Lang, string>;
}

/**
 * Ranges the agent documentation assigns without describing every code in them (2022 to early-2025
 * revisions of "Troubleshoot Azure Connected Machine agent connection issues"; the installation script notes
 * that azcmagent uses 0-125 and the installation scripts 127-255). Codes of a range that are not in
 * `azcmCodes` (AZCM0127-0129, 0134-0140, 0142, 0144, 0161-0170) have no public per-code description;
 * {@link codeRangeOf} tells at least which part of the installation they come from.
 */
export const azcmCodeRanges: readonly AzcmCodeRange[] = Object.freeze([
  {
    from: 127,
    to: 146,
    description: {
      en: 'An error in the Linux installation script (install_linux_azcmagent.sh); the message printed with it has the details.',
      de: 'Ein Fehler im Linux-Installationsskript (install_linux_azcmagent.sh); die zugehörige Meldung enthält die Einzelheiten.',
    },
  },
  {
    from: 147,
    to: 152,
    description: {
      en: 'An error in the Windows installation script or the agent MSI; the message printed with it has the details.',
      de: 'Ein Fehler im Windows-Installationsskript oder im Agent-MSI; die zugehörige Meldung enthält die Einzelheiten.',
    },
  },
  {
    from: 127,
    to: 255,
    description: {
      en: 'An error in one of the agent installation scripts (Windows or Linux); the message printed with it has the details.',
      de: 'Ein Fehler in einem der Installationsskripte des Agents (Windows oder Linux); die zugehörige Meldung enthält die Einzelheiten.',
    },
  },
]);

/** The narrowest documented range an AZCM number falls into, or `undefined`. */
export function codeRangeOf(exitCode: number): AzcmCodeRange | undefined {
  return azcmCodeRanges.find((r) => exitCode >= r.from && exitCode <= r.to);
}
