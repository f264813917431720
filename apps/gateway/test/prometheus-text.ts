/** One `/metrics` scrape: samples by `name{labels}` (labels as printed) and each family's `# TYPE`. */
export interface Scrape {
  samples: Map<string, number>;
  types: Map<string, string>;
}

/** Parses the Prometheus text format; throws on a line that is neither a comment nor a sample. */
export function parseScrape(text: string): Scrape {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1] as string, type[2] as string);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const value = Number(match[2]);
    // Prometheus parses values with Go's ParseFloat, which takes NaN in any case; prom-client prints `Nan`
    // (e.g. the event-loop delay mean of a histogram that saw no sample since the last scrape).
    if (Number.isNaN(value) && !/^nan$/i.test(match[2] as string)) throw new Error(`bad value in ${line}`);
    samples.set(match[1] as string, value);
  }
  return { samples, types };
}

/** Parses the Prometheus text format into `name{labels}` -> value (labels as printed). */
export function parseMetrics(text: string): Map<string, number> {
  return parseScrape(text).samples;
}

/**
 * The samples that are not part of a histogram (`_bucket`, `_sum`, `_count` of a family typed `histogram`):
 * the series the `/status` page lists.
 */
export function nonHistogramSamples(scrape: Scrape): Map<string, number> {
  const histograms = [...scrape.types].filter(([, type]) => type === 'histogram').map(([name]) => name);
  const family = (series: string) => series.replace(/\{.*$/, '');
  return new Map(
    [...scrape.samples].filter(
      ([series]) =>
        !histograms.some((name) =>
          ['_bucket', '_sum', '_count'].some((suffix) => family(series) === `${name}${suffix}`),
        ),
    ),
  );
}
