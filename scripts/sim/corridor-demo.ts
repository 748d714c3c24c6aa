import { uptime, loadavg } from 'node:os';
import { silentLogger } from '../../kiosk/log.ts';
import { startCorridorGate } from './corridor-gate.ts';
import { ENGINE_SCENARIOS, SIM_RESIDENTS, playEngineScenario } from './corridor-engine-scenarios.ts';

const FACES = new URL('../../fixtures/faces/', import.meta.url).pathname;

/**
 * `demo --profile walkthrough`: a walk-through gate built by buildGate on a simulated clock —
 * its camera twins showing each traveller's photo rendered at walking distance, the real face
 * engine, tracker, 1:N gallery of opted-in residents, statechart and journal, the exit door on
 * the door-controller twin — and every scenario walked through it, one line per scenario with
 * outcomes and corridor times, then a summary; with --json the report is the last stdout line.
 * Exit code 0 only with 0 mismatches and 0 wrong openings. (The corridor twin with synthetic
 * detections, scripts/sim/corridor-twin.ts, stays for the many-seed tests and bench-corridor.)
 */
export async function runCorridorDemo(opts: { json?: boolean; fps?: number }): Promise<number> {
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const fps = opts.fps ?? 10;
  const g = await startCorridorGate({ log: silentLogger(), photosDir: FACES, residents: SIM_RESIDENTS, fps });
  const rows = [];
  try {
    for (let i = 0; i < 4000 && g.gate.state?.mode !== 'in_service'; i++) await g.wait(5);
    out(`egate demo — walk-through gate (buildGate, real face engine), ${g.cameras.length} camera twins at ${fps} fps, door-controller twin, ${SIM_RESIDENTS.length} opted-in residents, ${ENGINE_SCENARIOS.length} scenarios`);
    out(`${'#'.padEnd(3)} ${'scenario'.padEnd(36)} ${'expected'.padEnd(28)} ${'got'.padEnd(28)} corridor ms`);
    for (const [i, sc] of ENGINE_SCENARIOS.entries()) {
      const r = await playEngineScenario(g, sc, FACES);
      const exp = [...sc.expect].sort();
      rows.push({ scenario: sc.name, expected: exp, got: r.got, corridorMs: r.corridorMs, wrongOpenings: r.wrongOpenings, ok: r.ok, outcomes: r.outcomes.map((o) => ({ outcome: o.outcome, reason: o.reason, totalMs: o.totalMs })) });
      const times = Object.entries(r.corridorMs).map(([k, v]) => `${k}:${v ?? '-'}`).join(' ');
      out(`${String(i + 1).padEnd(3)} ${sc.name.padEnd(36)} ${exp.join(',').padEnd(28)} ${r.got.join(',').padEnd(28)} ${times}${r.ok ? '' : `  MISMATCH (${r.why})`}`);
    }
  } finally {
    await g.close();
  }
  const mismatches = rows.filter((r) => !r.ok).length;
  const wrong = rows.reduce((a, r) => a + r.wrongOpenings, 0);
  const outcomes = [...new Set(rows.flatMap((r) => r.got))].sort();
  out(`${rows.length} scenarios, ${mismatches} mismatches, ${wrong} wrong openings; outcomes seen: ${outcomes.join(', ')} (load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, up ${Math.round(uptime() / 3600)} h)`);
  if (opts.json) console.log(JSON.stringify({ profile: 'walkthrough', engine: 'real', fps, rows, summary: { scenarios: rows.length, mismatches, wrongOpenings: wrong, outcomes } }));
  return mismatches === 0 && wrong === 0 ? 0 : 1;
}
