/**
 * Picks the supported language a BCP 47 tag asks for, or `undefined` when none fits (or the tag is not
 * BCP 47). An exact match (case-insensitive) wins; otherwise language and script must agree after adding
 * the likely subtags, and the region decides between several: `zh-TW` and `zh-HK` -> `zh-Hant`, `zh-CN` and
 * `zh` -> `zh-Hans`, `de-AT` -> `de`, `pt` -> `pt-BR` (the likely region of `pt`), `pt-PT` -> `pt-PT`.
 *
 * @example
 * matchLanguageTag('zh-TW', ['en', 'zh-Hans', 'zh-Hant']); // 'zh-Hant'
 * matchLanguageTag('fi', ['en', 'de']); // undefined
 */
export function matchLanguageTag(tag: string, supported: readonly string[]): string | undefined {
  let requested: Intl.Locale;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical === undefined) return undefined;
    requested = new Intl.Locale(canonical);
  } catch {
    return undefined;
  }
  const exact = supported.find((code) => code.toLowerCase() === requested.baseName.toLowerCase());
  if (exact !== undefined) return exact;

  const want = requested.maximize();
  const candidates = supported.filter((code) => {
    const have = new Intl.Locale(code).maximize();
    return have.language === want.language && have.script === want.script;
  });
  if (candidates.length <= 1) return candidates[0];
  const sameRegion = candidates.find((code) => new Intl.Locale(code).maximize().region === want.region);
  if (sameRegion !== undefined) return sameRegion;
  // Several fit and none by region: the one the bare language stands for (`pt` -> `pt-BR`).
  const likely = new Intl.Locale(`${want.language}-${want.script}`).maximize().region;
  return candidates.find((code) => new Intl.Locale(code).maximize().region === likely) ?? candidates[0];
}
