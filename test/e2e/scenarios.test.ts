import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../kiosk/log.ts';
import { demoPhotos } from '../../scripts/sim/builtin.ts';
import { loadScenario } from '../../scripts/sim/scenario.ts';
import { startSimulation } from '../../scripts/sim/simulation.ts';
import { report } from '../../scripts/sim/summary.ts';
import type { CrossingResult } from '../../scripts/sim/world.ts';
import { peerSuite } from '../helpers/suite.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Every token kind (or passport kind) and every behaviour of the demo scenarios, played through
 * the real driver stack: Modbus over a socat pty to the simulated controller, the real token
 * checks, chip reading, face engine and journal. Each traveller must get the expected outcome.
 */
const t = peerSuite('e2e: demo scenarios through the real driver stack', ['socat', 'openssl', 'ffmpeg']);

async function play(file: string): Promise<CrossingResult[]> {
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

function expectAll(results: CrossingResult[]): void {
  const wrong = results.filter((r) => r.outcome !== r.expected).map((r) => `${r.traveller}: ${r.outcome}/${r.reason}, expected ${r.expected}`);
  assert.equal(wrong, [], wrong.join('; '));
  assert.is(report(results).summary.mismatches, 0);
}

t('pedestrian: every token kind and behaviour gets its expected outcome', async () => {
  const results = await play('pedestrian-all.json');
  expectAll(results);
  const outcomes = new Set(results.map((r) => r.outcome));
  for (const o of ['CLEARED', 'REJECTED_TOKEN', 'REJECTED_FACE', 'REJECTED_PAD', 'ABANDONED', 'TAILGATE']) assert.ok(outcomes.has(o), `covers ${o}`);
  const reasons = new Set(results.map((r) => r.reason));
  for (const r of ['CREDENTIAL_EXPIRED', 'BAD_SIGNATURE', 'REPLAY', 'REVOKED', 'NOT_ENROLLED', 'NOT_ELIGIBLE', 'MALFORMED']) assert.ok(reasons.has(r), `covers ${r}`);
});

t('express: every passport kind and behaviour gets its expected outcome', async () => {
  const results = await play('express-all.json');
  expectAll(results);
  const reasons = new Set(results.map((r) => r.reason));
  for (const r of ['PA_HASH', 'DOC_EXPIRED', 'PA_CHAIN', 'CHIP_UNREADABLE', 'NO_MATCH', 'PRESENTATION_ATTACK']) assert.ok(reasons.has(r), `covers ${r}`);
  // Visa-required visitors (issue 16): every kind of e-Visa refusal, and a valid one cleared.
  for (const r of ['VISA_BAD_SIGNATURE', 'VISA_EXPIRED', 'VISA_REVOKED', 'VISA_HOLDER_MISMATCH', 'VISA_MISSING']) assert.ok(reasons.has(r), `covers ${r}`);
  assert.is(results.find((r) => r.traveller === 'visa-valid')?.outcome, 'CLEARED');
});

t.run();
