/**
 * Staged rollout of a signed release to the fleet (issue 18 item 3), the pure part: how the
 * gates are cut into waves (a named canary group first, then growing shares of the rest) and
 * what to do next given each allowed gate's outcome. The service (rollout-service.ts) reads
 * the outcomes from the gates' journalled update events and sends allow_update commands.
 */
export type GateOutcome = 'confirmed' | 'rolled_back' | 'refused' | 'pending';

export interface RolloutPlan {
  release: string;
  targetsVersion: number;
  /** waves[0] is the canary group; a wave is allowed only once every gate before it finished. */
  waves: string[][];
  /** Halt when failed gates / allowed gates passes this (0 = halt on the first failure). */
  failureLimit: number;
  /**
   * A wave's gates must report within this long after the wave was allowed; after it, every
   * gate of the wave still silent counts as failed (a gate that cannot report is not a
   * success). Absent: waves wait for ever.
   */
  waveTimeoutMs?: number;
}

export interface Decision {
  action: 'wait' | 'advance' | 'halt' | 'done';
  allowed: number;
  confirmed: number;
  failed: number;
  pending: number;
  /** Gates of the current wave that did not report within the wave timeout (counted in `failed`). */
  silent: number;
  failureRate: number;
}

/**
 * Canary gates first (those of `canary` that exist), then the others in waves whose sizes
 * are cumulative shares of them (e.g. [0.1, 0.5, 1] → 10 %, then up to 50 %, then all).
 * Gates are taken in name order within the rest, so the plan is the same on every instance.
 */
export function planWaves(gates: readonly string[], canary: readonly string[], shares: readonly number[]): string[][] {
  const all = [...new Set(gates)].sort();
  const first = canary.filter((g) => all.includes(g));
  if (first.length === 0) throw new Error('the canary group names no known gate');
  const rest = all.filter((g) => !first.includes(g));
  const waves: string[][] = [first];
  let taken = 0;
  const cuts = [...shares, 1].filter((s) => s > 0 && s <= 1);
  for (const s of cuts) {
    const upTo = Math.min(rest.length, Math.max(taken + 1, Math.ceil(rest.length * s)));
    if (upTo > taken) waves.push(rest.slice(taken, upTo));
    taken = upTo;
  }
  return waves;
}

/**
 * What the rollout does next, with waves 0…allowedWave allowed. Halting looks at every gate
 * allowed so far and does not wait for the wave to finish: once the failures alone pass the
 * limit no further gate is allowed. A wave advances only when none of its gates is pending;
 * past the wave timeout (`waveElapsedMs` since the wave was allowed) the silent gates count as
 * failed, so a wave that does not report halts the rollout unless its failures stay in the limit.
 */
export function decide(plan: RolloutPlan, allowedWave: number, outcomes: ReadonlyMap<string, GateOutcome>, waveElapsedMs = 0): Decision {
  const allowedGates = plan.waves.slice(0, allowedWave + 1).flat();
  const timedOut = plan.waveTimeoutMs !== undefined && waveElapsedMs > plan.waveTimeoutMs;
  let confirmed = 0;
  let failed = 0;
  let silent = 0;
  for (const g of allowedGates) {
    const o = outcomes.get(g) ?? 'pending';
    if (o === 'confirmed') confirmed++;
    else if (o === 'rolled_back' || o === 'refused') failed++;
    else if (timedOut) silent++;
  }
  failed += silent;
  const pending = allowedGates.length - confirmed - failed;
  const failureRate = allowedGates.length ? failed / allowedGates.length : 0;
  const base = { allowed: allowedGates.length, confirmed, failed, pending, silent, failureRate };
  if (failureRate > plan.failureLimit) return { action: 'halt', ...base };
  if (pending > 0) return { action: 'wait', ...base };
  return { action: allowedWave + 1 < plan.waves.length ? 'advance' : 'done', ...base };
}
