import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { makeCast, PHOTO_SCENARIOS, playPhotoScenario, type PhotoRun } from './photo-scenarios.ts';
import { PhotoWorld } from './photo-world.ts';

/**
 * `demo --profile photo`: every photo-kiosk scenario through one simulated kiosk (real binding,
 * crop, compliance check, face engine, payment desk, store and journal; twins of the scanner,
 * acquirer, Octopus reader and printer) on a simulated clock. One line per scenario, expected
 * against actual, then a summary; with --json the report is the last stdout line. Exit 0 only
 * with 0 mismatches.
 */
export async function runPhotoDemo(opts: { json?: boolean; only?: (name: string) => boolean }): Promise<{ code: number; runs: PhotoRun[] }> {
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const scenarios = PHOTO_SCENARIOS.filter((s) => !opts.only || opts.only(s.name));
  out(`egate demo — passport-application photo kiosk (twins: scanner, FPS acquirer, Octopus reader, printer; real face engine), ${scenarios.length} scenarios`);
  const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  const runs: PhotoRun[] = [];
  let world: PhotoWorld | undefined;
  try {
    const cast = await makeCast(engine, scenarios.map((s) => s.print));
    world = await PhotoWorld.open(new SimulatedClock(), engine);
    out(`${'#'.padEnd(3)} ${'scenario'.padEnd(38)} ${'expected'.padEnd(20)} ${'got'.padEnd(20)} ${'charges'.padEnd(8)} ${'payment'.padEnd(10)} ${'failing rules'.padEnd(36)} wall`);
    for (const [i, sc] of scenarios.entries()) {
      const r = await playPhotoScenario(world, cast, sc);
      runs.push(r);
      out(`${String(i + 1).padEnd(3)} ${sc.name.padEnd(38)} ${r.expected.padEnd(20)} ${r.got.padEnd(20)} ${String(r.charges).padEnd(8)} ${(r.payment ?? '-').padEnd(10)} ${(r.failing.join(',') || '-').padEnd(36)} ${Math.round(r.wallMs)} ms${r.ok ? '' : `  MISMATCH: ${r.why.join('; ')}`}`);
    }
  } finally {
    await world?.close();
    await engine.close();
  }
  const mismatches = runs.filter((r) => !r.ok).length;
  out(`${runs.length} scenarios, ${mismatches} mismatches, ${runs.reduce((n, r) => n + r.charges, 0)} charges`);
  if (opts.json) console.log(JSON.stringify({ profile: 'photo', rows: runs, summary: { scenarios: runs.length, mismatches } }));
  return { code: mismatches === 0 ? 0 : 1, runs };
}
