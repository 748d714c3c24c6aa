import { CORRIDOR_SCENARIOS, playCorridorScenario } from './corridor-scenarios.ts';

/**
 * `demo --profile walkthrough`: every walk-through scenario through the corridor twin (real
 * tracker, decision rule, gallery search and statechart; synthetic camera detections), one
 * line per scenario with its outcomes and corridor times, then a summary; with --json the
 * report is the last stdout line. Exit code 0 only with 0 mismatches and 0 wrong openings.
 */
export async function runCorridorDemo(opts: { json?: boolean; seed?: number; cameras?: number }): Promise<number> {
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const seed = opts.seed ?? 19;
  const cameras = opts.cameras ?? 4;
  out(`egate demo — walk-through corridor twin, ${cameras} cameras at 10 fps, ${CORRIDOR_SCENARIOS.length} scenarios, seed ${seed}`);
  out(`${'#'.padEnd(3)} ${'scenario'.padEnd(36)} ${'expected'.padEnd(28)} ${'got'.padEnd(28)} corridor ms`);
  const rows = [];
  for (const [i, sc] of CORRIDOR_SCENARIOS.entries()) {
    const r = await playCorridorScenario(sc, seed, cameras, 10);
    const exp = [...sc.expect].sort();
    rows.push({ scenario: sc.name, expected: exp, got: r.got, corridorMs: r.corridorMs, wrongOpenings: r.wrongOpenings, ok: r.ok });
    const times = Object.entries(r.corridorMs).map(([k, v]) => `${k}:${v ?? '-'}`).join(' ');
    out(`${String(i + 1).padEnd(3)} ${sc.name.padEnd(36)} ${exp.join(',').padEnd(28)} ${r.got.join(',').padEnd(28)} ${times}${r.ok ? '' : `  MISMATCH${r.wrongOpenings ? ` (${r.wrongOpenings} wrong openings)` : ''}`}`);
  }
  const mismatches = rows.filter((r) => !r.ok).length;
  const wrong = rows.reduce((a, r) => a + r.wrongOpenings, 0);
  out(`${rows.length} scenarios, ${mismatches} mismatches, ${wrong} wrong openings`);
  if (opts.json) console.log(JSON.stringify({ profile: 'walkthrough', seed, cameras, rows, summary: { scenarios: rows.length, mismatches, wrongOpenings: wrong } }));
  return mismatches === 0 ? 0 : 1;
}
