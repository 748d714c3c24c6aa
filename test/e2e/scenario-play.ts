import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../kiosk/log.ts';
import { demoPhotos } from '../../scripts/sim/builtin.ts';
import { loadScenario } from '../../scripts/sim/scenario.ts';
import { startSimulation } from '../../scripts/sim/simulation.ts';
import { report } from '../../scripts/sim/summary.ts';
import type { CrossingResult } from '../../scripts/sim/world.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Every token kind (or passport kind) and every behaviour of the demo scenarios, played through
 * the real driver stack: Modbus over a socat pty to the simulated controller, the real token
 * checks, chip reading, face engine and journal. One test file per lane (scenarios*.test.ts):
 * each takes minutes on a loaded machine.
 */

/** Plays a demo scenario through the real driver stack; each traveller's result. */
export async function play(file: string): Promise<CrossingResult[]> {
  const scenario = loadScenario(join(ROOT, 'scripts/sim/scenarios', file));
  const photos = demoPhotos();
  const sim = await startSimulation(scenario, { photosDir: scenario.photos ?? photos.dir, spoofPhoto: photos.spoof, log: silentLogger() });
  const results: CrossingResult[] = [];
  try {
    for (const tr of scenario.travellers) results.push(await sim.world.cross(tr, sim.subOf(tr), 60_000));
  } finally {
    await sim.close();
  }
  return results;
}

export function expectAll(results: CrossingResult[]): void {
  const wrong = results.filter((r) => r.outcome !== r.expected).map((r) => `${r.traveller}: ${r.outcome}/${r.reason}, expected ${r.expected}`);
  assert.equal(wrong, [], wrong.join('; '));
  assert.is(report(results).summary.mismatches, 0);
}

