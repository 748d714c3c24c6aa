import { suite, type Test } from 'uvu';
import { requirePath, requirePeers } from './peers.ts';

/**
 * A uvu suite whose tests are registered as skipped (counted by uvu as "Skipped") when a
 * peer or path is missing outside CI; under CI=true a missing peer throws instead.
 * Usage: const t = peerSuite('door: pymodbus', ['socat', 'py:pymodbus']); t('…', async () => …); t.run();
 */
export function peerSuite<C = Record<string, unknown>>(
  name: string,
  peers: string[],
  paths: { path: string; hint: string }[] = [],
): Test<C> {
  const s = suite<C>(name);
  const ok = requirePeers(name, ...peers) && paths.every((p) => requirePath(name, p.path, p.hint));
  if (ok) return s;
  const skipping = ((testName: string, fn: never) => s.skip(testName, fn)) as unknown as Test<C>;
  skipping.skip = s.skip;
  skipping.only = s.skip as never;
  skipping.before = Object.assign(() => {}, { each: () => {} }) as never;
  skipping.after = Object.assign(() => {}, { each: () => {} }) as never;
  skipping.run = s.run;
  return skipping;
}
