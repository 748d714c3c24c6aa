import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { percentile, playRegistrationScenario, REGISTRATION_SCENARIOS, type RegistrationRun } from './registration-scenarios.ts';
import { RegistrationWorld } from './registration-world.ts';

/**
 * `demo --profile registration`: every self-registration scenario through one simulated kiosk
 * (real profile: Express document check on the simulated chip and MRZ reader, statechart,
 * face engine, reference store, journal; twins of the printer and the camera still; the touch
 * page's session with its inactivity timeout) on a simulated clock. One line per scenario,
 * expected against actual, then the kiosk's working time p50/p95; with --json the report is
 * the last stdout line. Exit 0 only with 0 mismatches.
 */
export async function runRegistrationDemo(opts: { json?: boolean; only?: (name: string) => boolean }): Promise<{ code: number; runs: RegistrationRun[] }> {
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const scenarios = REGISTRATION_SCENARIOS.filter((s) => !opts.only || opts.only(s.name));
  out(`egate demo — visitor self-registration kiosk (twins: chip, MRZ reader, printer, camera still; real document check and face engine), ${scenarios.length} scenarios`);
  const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  const runs: RegistrationRun[] = [];
  let world: RegistrationWorld | undefined;
  try {
    world = await RegistrationWorld.open(new SimulatedClock(), engine);
    out(`${'#'.padEnd(3)} ${'scenario'.padEnd(40)} ${'expected'.padEnd(22)} ${'got'.padEnd(22)} ${'captures'.padEnd(9)} ${'enrolled'.padEnd(9)} ${'slip'.padEnd(5)} kiosk`);
    for (const [i, sc] of scenarios.entries()) {
      const r = await playRegistrationScenario(world, sc);
      runs.push(r);
      out(`${String(i + 1).padEnd(3)} ${sc.name.padEnd(40)} ${r.expected.padEnd(22)} ${r.got.padEnd(22)} ${String(r.captures).padEnd(9)} ${String(r.enrolled).padEnd(9)} ${(r.slip ? 'yes' : 'no').padEnd(5)} ${Math.round(r.kioskMs)} ms${r.ok ? '' : `  MISMATCH: ${r.why.join('; ')}`}`);
    }
  } finally {
    await world?.close();
    await engine.close();
  }
  const mismatches = runs.filter((r) => !r.ok).length;
  const ms = runs.map((r) => r.kioskMs);
  const p50 = Math.round(percentile(ms, 50));
  const p95 = Math.round(percentile(ms, 95));
  out(`${runs.length} scenarios, ${mismatches} mismatches; kiosk working time (start tap to result, visitor's own time excluded) p50 ${p50} ms, p95 ${p95} ms`);
  if (opts.json) console.log(JSON.stringify({ profile: 'registration', rows: runs, summary: { scenarios: runs.length, mismatches, kiosk_ms_p50: p50, kiosk_ms_p95: p95 } }));
  return { code: mismatches === 0 ? 0 : 1, runs };
}
