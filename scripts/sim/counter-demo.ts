import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { COUNTER_SCENARIOS, playCounterScenario, type CounterRun } from './counter-scenarios.ts';
import { CounterWorld } from './counter-world.ts';

/**
 * `demo --profile counter`: every counter-camera scenario through one simulated station (real
 * counter parts: Express document check, capture on the face engine, officer desk, arrival
 * records, journal; twins of the chip reader, MRZ reader and camera). One line per scenario,
 * expected against actual, then a summary; with --json the report is the last stdout line.
 * Exit 0 only with 0 mismatches.
 */
export async function runCounterDemo(opts: { json?: boolean; only?: (name: string) => boolean }): Promise<{ code: number; runs: CounterRun[] }> {
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const scenarios = COUNTER_SCENARIOS.filter((s) => !opts.only || opts.only(s.name));
  out(`egate demo — arrival counter camera (twins: chip reader, MRZ reader, camera; real document check and face engine), ${scenarios.length} scenarios`);
  const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  const runs: CounterRun[] = [];
  let world: CounterWorld | undefined;
  try {
    world = await CounterWorld.open(new SimulatedClock(), engine);
    out(`${'#'.padEnd(3)} ${'scenario'.padEnd(38)} ${'expected'.padEnd(10)} ${'got'.padEnd(10)} ${'document'.padEnd(17)} ${'faces (band)'.padEnd(32)} ${'record'.padEnd(7)} to case`);
    for (const [i, sc] of scenarios.entries()) {
      const r = await playCounterScenario(world, sc);
      runs.push(r);
      const faces = r.faces.map((f, j) => `${f} (${r.bands[j]})`).join(', ') || '-';
      out(`${String(i + 1).padEnd(3)} ${sc.name.padEnd(38)} ${r.expected.padEnd(10)} ${r.got.padEnd(10)} ${(r.document ?? 'genuine').padEnd(17)} ${faces.padEnd(32)} ${(r.record ? 'sealed' : '-').padEnd(7)} ${Math.round(r.readyMs)} ms${r.ok ? '' : `  MISMATCH: ${r.why.join('; ')}`}`);
    }
  } finally {
    await world?.close();
    await engine.close();
  }
  const mismatches = runs.filter((r) => !r.ok).length;
  out(`${runs.length} scenarios, ${mismatches} mismatches, ${runs.filter((r) => r.record).length} arrival records sealed`);
  if (opts.json) console.log(JSON.stringify({ profile: 'counter', rows: runs, summary: { scenarios: runs.length, mismatches } }));
  return { code: mismatches === 0 ? 0 : 1, runs };
}

