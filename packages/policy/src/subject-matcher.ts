import {
  CN_TYPE,
  comparableValue,
  type DistinguishedName,
  type DnAttribute,
  formatDistinguishedName,
  parseDistinguishedName,
} from './distinguished-name.ts';

/** A parsed subject rule, or why it cannot be used. */
export type SubjectRuleParse =
  | { readonly ok: true; readonly kind: 'subject' | 'cn'; readonly pattern: string; readonly key: string }
  | { readonly ok: false; readonly reason: 'invalid-subject' | 'empty-subject'; readonly message: string };

/**
 * Parses an allowed client-certificate subject as written by an operator. `CN=agent-1,O=Contoso` must
 * match the whole subject; `CN=agent-1` alone matches any subject whose only CN is `agent-1`. A bare value
 * without `=` (`agent-1`, as the original product's examples write it) is read as `CN=agent-1`.
 */
export function parseSubjectRule(text: string): SubjectRuleParse {
  if (typeof text !== 'string' || text.trim() === '') {
    return { ok: false, reason: 'empty-subject', message: 'the subject is empty' };
  }
  const dn = text.includes('=')
    ? parseDistinguishedName(text)
    : { rdns: [[{ type: CN_TYPE, value: text.trim() }]] };
  if (dn === undefined) {
    return { ok: false, reason: 'invalid-subject', message: 'not a distinguished name in RFC 4514 form' };
  }
  if (dn.rdns.length === 0) return { ok: false, reason: 'empty-subject', message: 'the subject is empty' };
  const pattern = formatDistinguishedName(dn);
  const only = dn.rdns.length === 1 && dn.rdns[0]!.length === 1 ? dn.rdns[0]![0]! : undefined;
  if (only !== undefined && only.type === CN_TYPE) {
    return { ok: true, kind: 'cn', pattern, key: comparableValue(only) };
  }
  return { ok: true, kind: 'subject', pattern, key: formatDistinguishedName(dn, { comparable: true }) };
}

/** The comparison keys of a presented subject: the whole-subject key and its single CN, if it has one. */
export function subjectKeys(dn: DistinguishedName): { subject: string; cn: string | undefined } {
  let cn: DnAttribute | undefined;
  let count = 0;
  for (const rdn of dn.rdns) {
    for (const attribute of rdn) {
      if (attribute.type === CN_TYPE) {
        count++;
        cn = attribute;
      }
    }
  }
  return {
    subject: formatDistinguishedName(dn, { comparable: true }),
    cn: count === 1 && cn !== undefined ? comparableValue(cn) : undefined,
  };
}
