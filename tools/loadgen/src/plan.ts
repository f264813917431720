// How a scale run spreads many tunnels over processes and destinations, so that no process passes its
// descriptor limit and no (source, destination) pair runs out of ephemeral ports.

/** What {@link planTunnels} needs to know. */
export interface TunnelPlanOptions {
  /** Tunnels to open in all. */
  readonly tunnels: number;
  /**
   * Most sockets one load-generator or target process holds: one per tunnel (20,000 descriptors per
   * process leave room for 16,000).
   */
  readonly perProcessMax: number;
  /**
   * Most connections the proxy may open to one destination address:port from its one source address: the
   * ephemeral ports it can pick for that pair (fewer than the range: ports that other sockets took with
   * bind() are skipped by connect()).
   */
  readonly perDestinationMax: number;
  /** Load-generator processes (default: as few as `perProcessMax` allows). */
  readonly loadgens?: number | undefined;
  /** Target processes (default: as few as `perProcessMax` allows). */
  readonly targets?: number | undefined;
  /** The first load generator's source network 127.N.x.y; the next ones count up from it. */
  readonly firstSourceNet: number;
  /** Source addresses per load generator (its tunnels go round robin over them). */
  readonly sourcesPerLoadgen: number;
}

/** One load-generator process of a {@link TunnelPlan}. */
export interface PlannedLoadgen {
  /** Tunnels it opens. */
  readonly count: number;
  /** Its source network: addresses 127.sourceNet.x.y. */
  readonly sourceNet: number;
  /** Destination indexes (into the targets' ports, in order) in the round-robin order it uses them. */
  readonly destinations: readonly number[];
}

/** The split of a scale run: {@link planTunnels}. */
export interface TunnelPlan {
  readonly loadgens: readonly PlannedLoadgen[];
  /** Ports each target process listens on (destinations are numbered across targets in this order). */
  readonly portsPerTarget: readonly number[];
  /** Destinations (address:port) in all. */
  readonly destinations: number;
  /** The most tunnels any one destination gets. */
  readonly perDestination: number;
  /** The most tunnels any one target process holds. */
  readonly perTarget: number;
}

/** `total` split into `parts` whole numbers that differ by at most one (the larger ones first). */
export function evenSplit(total: number, parts: number): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`not a count: ${total}`);
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`not a number of parts: ${parts}`);
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a whole number >= 1, not ${value}`);
  return value;
}

/**
 * Splits `tunnels` over load generators and target processes (each within `perProcessMax`) and over
 * destinations (each within `perDestinationMax`): every load generator goes round robin over all
 * destinations, starting where the one before it stopped, so each destination gets an even share. Throws a
 * RangeError when the options cannot hold the tunnels (too few processes for the limit, source networks
 * past 255, too many tunnels per source address).
 */
export function planTunnels(options: TunnelPlanOptions): TunnelPlan {
  const tunnels = positiveInteger('tunnels', options.tunnels);
  const perProcessMax = positiveInteger('perProcessMax', options.perProcessMax);
  const perDestinationMax = positiveInteger('perDestinationMax', options.perDestinationMax);
  const fewest = Math.ceil(tunnels / perProcessMax);
  const loadgenCount = positiveInteger('loadgens', options.loadgens ?? fewest);
  const targetCount = positiveInteger('targets', options.targets ?? fewest);
  if (loadgenCount < fewest || targetCount < fewest)
    throw new RangeError(
      `${tunnels} tunnels need at least ${fewest} load generators and targets of at most ${perProcessMax} each`,
    );
  const lastSourceNet = options.firstSourceNet + loadgenCount - 1;
  if (options.firstSourceNet < 1 || lastSourceNet > 255)
    throw new RangeError(
      `source networks 127.${options.firstSourceNet}-${lastSourceNet}.x.y do not fit 127.1-255`,
    );
  const sources = positiveInteger('sourcesPerLoadgen', options.sourcesPerLoadgen);
  const counts = evenSplit(tunnels, loadgenCount);
  const perSource = Math.ceil((counts[0] as number) / sources);
  if (perSource > perDestinationMax)
    throw new RangeError(`${perSource} tunnels per source address exceed ${perDestinationMax}: more sources`);
  // Without a number of targets given, one more is taken while whole ports per target overfill one.
  for (let targets = targetCount; ; targets++) {
    const plan = spread(counts, targets, tunnels, perDestinationMax, options.firstSourceNet);
    if (plan.perTarget <= perProcessMax) return plan;
    if (options.targets !== undefined)
      throw new RangeError(
        `a target would hold ${plan.perTarget} tunnels, more than ${perProcessMax}: more targets`,
      );
  }
}

/**
 * The destinations for `counts` tunnels per load generator and `targets` target processes: whole ports per
 * target, enough for `perDestinationMax`. Load generator i starts where i - 1 stopped, so all tunnels
 * together go round robin over the destinations, which then differ by at most one tunnel.
 */
function spread(
  counts: readonly number[],
  targets: number,
  tunnels: number,
  perDestinationMax: number,
  firstSourceNet: number,
): TunnelPlan {
  const needed = Math.max(targets, Math.ceil(tunnels / perDestinationMax));
  const destinations = targets * Math.ceil(needed / targets);
  const load = evenSplit(tunnels, destinations);
  let offset = 0;
  const loadgens = counts.map((count, i) => {
    const order = Array.from({ length: destinations }, (_, k) => (offset + k) % destinations);
    offset = (offset + count) % destinations;
    return { count, sourceNet: firstSourceNet + i, destinations: order };
  });
  const portsPerTarget = evenSplit(destinations, targets);
  let perTarget = 0;
  let next = 0;
  for (const ports of portsPerTarget) {
    let held = 0;
    for (let k = 0; k < ports; k++) held += load[next++] as number;
    perTarget = Math.max(perTarget, held);
  }
  return { loadgens, portsPerTarget, destinations, perDestination: load[0] as number, perTarget };
}

/**
 * The fewest workers that hold `tunnels` when each holds at most `perWorkerMax` and the kernel spreads
 * connections over them at random (SO_REUSEPORT hashes each connection's addresses and ports): the busiest
 * worker's expected share plus five standard deviations of that random spread must fit.
 */
export function workersFor(tunnels: number, perWorkerMax: number, most = 1024): number {
  positiveInteger('tunnels', tunnels);
  positiveInteger('perWorkerMax', perWorkerMax);
  for (let workers = 1; workers <= most; workers++) {
    const share = tunnels / workers;
    const spread = Math.sqrt(share * (1 - 1 / workers));
    if (share + 5 * spread <= perWorkerMax) return workers;
  }
  throw new RangeError(`${tunnels} tunnels do not fit ${most} workers of ${perWorkerMax}`);
}
