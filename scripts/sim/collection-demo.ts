import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { COLLECTION_SCENARIOS, makeCollectionCast, playCollectionScenario, type CollectionRun } from './collection-scenarios.ts';
import { CollectionWorld } from './collection-world.ts';

/**
 * `demo --profile collection`: every collection-kiosk scenario through one simulated kiosk
 * (real binding, statechart, slip and smart-ID card checks, token verifier, face engine,
 * journal; twins of the dispenser on its register map, its card reader, the slip scanner and
 * the camera) on a simulated clock, by a scripted resident. One line per scenario, expected
 * against actual; with --json the report is the last stdout line. Exit 0 only with 0 mismatches.
 */
export async function runCollectionDemo(opts: { json?: boolean; only?: (name: string) => boolean }): Promise<{ code: number; runs: CollectionRun[] }> {
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const scenarios = COLLECTION_SCENARIOS.filter((s) => !opts.only || opts.only(s.name));
  out(`egate demo — smart-ID collection kiosk (twins: dispenser + capture bin, card reader, slip scanner, camera; real face engine), ${scenarios.length} scenarios`);
  const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  const clock = new SimulatedClock();
  const tokens = createTokenWorld({ nowMs: clock.now() });
  clock.setWallClock(tokens.nowMs);
  const runs: CollectionRun[] = [];
  let world: CollectionWorld | undefined;
  try {
    const cast = makeCollectionCast();
    world = await CollectionWorld.open(clock, tokens, engine);
    const memo = {};
    out(`${'#'.padEnd(3)} ${'scenario'.padEnd(38)} ${'expected'.padEnd(32)} ${'got'.padEnd(32)} ${'card'.padEnd(8)} wall`);
    for (const [i, sc] of scenarios.entries()) {
      const r = await playCollectionScenario(world, cast, sc, memo);
      runs.push(r);
      out(`${String(i + 1).padEnd(3)} ${sc.name.padEnd(38)} ${r.expected.padEnd(32)} ${r.got.padEnd(32)} ${r.card.padEnd(8)} ${Math.round(r.wallMs)} ms${r.ok ? '' : `  MISMATCH: ${r.why.join('; ')}`}`);
    }
  } finally {
    await world?.close();
    await engine.close();
  }
  const mismatches = runs.filter((r) => !r.ok).length;
  out(`${runs.length} scenarios, ${mismatches} mismatches`);
  if (opts.json) console.log(JSON.stringify({ profile: 'collection', rows: runs, summary: { scenarios: runs.length, mismatches } }));
  return { code: mismatches === 0 ? 0 : 1, runs };
}
