/**
 * Signed-update timings (issue 18): a vendor repository on 127.0.0.1, a gate in A/B slots
 * run by the launcher, then `--runs` good updates and `--runs` updates whose release
 * crashes on start (rolled back). Per update: fetch (TUF metadata + targets), prepare (copy,
 * unpack, model + calibration check, fsync, rename), switch (pointer switched → new release
 * READY and healthy), lane out of service (drained → resumed), rollback (failure known → old
 * release READY again).
 *
 *   node --import tsx scripts/bench-update.ts [--runs 5] [--bundle-mb 40]
 *   node --import tsx scripts/bench-update.ts --real [--profile vehicle] [--runs 2]
 *
 * By default the releases are the test bundle (test/update/fixtures/release-main.mjs: a small
 * program speaking the launcher's protocol) padded to --bundle-mb, with two model files: the
 * figures are the install machinery's alone. With --real they are the gate itself: bundles
 * built from HEAD with the real models (test/update/real-gate.ts), a simulated gate of the
 * profile started from the slot, so the switch includes the real start-up (READY), devices and
 * the self-test crossing on the twin; the failing release is one whose calibration matches
 * anyone (caught by the self-test, HEALTH_SELF_TEST) instead of one that crashes on start.
 * Prints a table; the last stdout line is a JSON summary.
 */
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { SystemClock } from '../kiosk/clock.ts';
import { silentLogger } from '../kiosk/log.ts';
import { ReleaseLauncher, type InstallReport } from '../kiosk/update/launcher.ts';
import { ReleaseSlots } from '../kiosk/update/slots.ts';
import { GateUpdater } from '../kiosk/update/updater.ts';
import { realGate } from '../test/update/real-gate.ts';
import { updateWorld } from '../test/update/update-world.ts';

const opts = new Command('bench-update')
  .description('time to fetch, prepare and switch a signed release, lane time out of service, rollback time')
  .option('--runs <n>', 'good updates and crashing updates each', '5')
  .option('--bundle-mb <mb>', 'application bundle size (random, incompressible)', '40')
  .option('--real', 'releases built from HEAD running the real gate in simulation')
  .option('--profile <p>', 'with --real: pedestrian or vehicle', 'pedestrian')
  .parse()
  .opts<{ runs: string; bundleMb: string; real?: boolean; profile: string }>();
if (opts.profile !== 'pedestrian' && opts.profile !== 'vehicle') throw new Error('--profile is pedestrian or vehicle');
const real = opts.real === true;
const runs = Number(opts.runs);
const bundleBytes = Math.round(Number(opts.bundleMb) * 1_000_000);

const clock = new SystemClock();
const w = await updateWorld();
const load0 = loadavg();
const realG = real ? await realGate(w, { profile: opts.profile as 'pedestrian' | 'vehicle' }) : undefined;
const gate = realG
  ? realG
  : await (async () => {
      const updater = new GateUpdater({ dataDir: w.dataDir, repositoryUrl: w.url, onEvent: () => {} });
      const slots = new ReleaseSlots(w.installRoot);
      w.publish('1.0.0', { bundleBytes });
      slots.adopt(slots.prepare(await updater.fetchRelease()));
      const launcher = new ReleaseLauncher({
        slots,
        clock,
        log: silentLogger(),
        stdio: 'ignore',
        journal: () => {},
        bounds: { maxOutOfServiceMs: 120_000, drainTimeoutMs: 60_000, stopTimeoutMs: 10_000, readyTimeoutMs: 120_000 },
      });
      await launcher.start();
      return { updater, launcher };
    })();
const { updater, launcher } = gate;

interface Row extends InstallReport {
  fetchMs: number;
}
const rows: Row[] = [];
try {
  for (let i = 0; i < runs * 2; i++) {
    const crash = i % 2 === 1;
    if (realG) realG.publish(`1.${i + 1}.0`, crash ? 'loose' : 'good');
    else w.publish(`1.${i + 1}.0`, { bundleBytes, variant: crash ? 'crash' : 'good' });
    const t0 = clock.monotonic();
    const staged = await updater.fetchRelease();
    const fetchMs = Math.round(clock.monotonic() - t0);
    const r = await launcher.install(staged);
    rows.push({ ...r, fetchMs });
    console.log(
      [r.release.padEnd(7), r.outcome.padEnd(11), `fetch ${fetchMs} ms`, `prepare ${r.prepareMs} ms`, `switch ${r.switchMs ?? '-'} ms`, `out of service ${r.outOfServiceMs ?? '-'} ms`, `rollback ${r.rollbackMs ?? '-'} ms`, r.reason ?? ''].join('  '),
    );
  }
} finally {
  await launcher.stop();
  await w.close();
}
const load1 = loadavg();

const pct = (xs: number[], p: number): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const stat = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return { n: v.length, p50: pct(v, 50), p95: pct(v, 95), max: v.length ? Math.max(...v) : null };
};
const good = rows.filter((r) => r.outcome === 'confirmed');
const bad = rows.filter((r) => r.outcome === 'rolled_back');
const summary = {
  releases: real ? `real gate from HEAD, ${opts.profile}` : 'test bundle',
  bundleMb: real ? null : Number(opts.bundleMb),
  updates: rows.length,
  confirmed: good.length,
  rolledBack: bad.length,
  wrongOutcomes: rows.length - good.length - bad.length,
  fetchMs: stat(rows.map((r) => r.fetchMs)),
  prepareMs: stat(rows.map((r) => r.prepareMs)),
  switchMs: stat(good.map((r) => r.switchMs)),
  outOfServiceMs: stat(good.map((r) => r.outOfServiceMs)),
  rollbackMs: stat(bad.map((r) => r.rollbackMs)),
  outOfServiceRolledBackMs: stat(bad.map((r) => r.outOfServiceMs)),
  load: { before: load0.map((x) => Number(x.toFixed(2))), after: load1.map((x) => Number(x.toFixed(2))) },
};
console.log('');
console.log('what                               n    p50 ms   p95 ms   max ms');
for (const [name, s] of [
  ['fetch (TUF metadata + targets)', summary.fetchMs],
  ['prepare (copy, unpack, check, fsync)', summary.prepareMs],
  ['switch (pointer → new release healthy)', summary.switchMs],
  ['lane out of service (good update)', summary.outOfServiceMs],
  ['rollback (failure → old release ready)', summary.rollbackMs],
  ['lane out of service (rolled back)', summary.outOfServiceRolledBackMs],
] as const) {
  console.log(`${name.padEnd(38)} ${String(s.n).padStart(2)} ${String(s.p50 ?? '-').padStart(8)} ${String(s.p95 ?? '-').padStart(8)} ${String(s.max ?? '-').padStart(8)}`);
}
console.log(`load average before ${summary.load.before.join(' ')}, after ${summary.load.after.join(' ')}`);
console.log(JSON.stringify(summary));
