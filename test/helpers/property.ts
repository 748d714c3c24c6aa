import type { Parameters } from 'fast-check';

/**
 * Every fast-check property prints the seed it runs with (issue 11.11), so a failure seen
 * once on a loaded machine replays exactly: `EGATE_SEED=N node --import tsx <test file>`.
 * One seed per test process; fast-check also prints it (and the shrunk counterexample) on
 * failure.
 */
export const PROPERTY_SEED = process.env.EGATE_SEED !== undefined ? Number(process.env.EGATE_SEED) : (Math.random() * 0x7fffffff) | 0;

/** The options for one fc.assert: the seed (printed with the property's name) plus `extra`. */
export function propertyRun<T>(name: string, extra: Parameters<T> = {}): Parameters<T> {
  console.log(`property "${name}": seed ${PROPERTY_SEED} (EGATE_SEED=${PROPERTY_SEED} replays it)`);
  return { ...extra, seed: PROPERTY_SEED };
}
