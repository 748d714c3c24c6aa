import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { faceSection } from '../config/sections/face.ts';
import { SimulatedClock } from '../core/clock.ts';
import { loadChipImage } from '../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../drivers/chip/sim-reader.ts';
import { parseTd3 } from '../icao/mrz.ts';
import { createFaceEngine, type FaceReference } from '../kiosk/biometrics/index.ts';
import { SystemClock } from '../kiosk/clock.ts';
import { ReferenceStore } from '../kiosk/enrolment/reference-store.ts';
import { createDocumentCheck } from '../kiosk/express/document-check.ts';
import { enrolmentIndexKey, enrolmentSource, enrolmentSubFor, expiryOf, findEnrolment } from '../kiosk/express/enrolment-index.ts';
import { silentLogger } from '../kiosk/log.ts';
import { TrustList } from '../kiosk/passport/trust.ts';
import { makePassports } from './make-passport.ts';
import { percentile, playRegistrationScenario, REGISTRATION_SCENARIOS } from './sim/registration-scenarios.ts';
import { RegistrationWorld } from './sim/registration-world.ts';

/**
 * Issue 14 §3/§5 figures. (1) An Express crossing's passport-and-face time for a visitor who
 * self-registered (DG2 skipped, the enrolled template compared) against one who did not (DG2
 * read, decoded, quality-gated, extracted): the real document check and face engine on the
 * simulated chip, each APDU given `--apdu-ms` of air time (a contactless reader: ~10–60 ms),
 * plus the live 1:1 both crossings make. The mantrap walk (doors, exit) is the same both ways
 * and not counted. (2) The registration kiosk's working time per visitor in the twin (start
 * tap to result, visitor's own time excluded; the same air time per APDU), over enrolments and
 * over every scenario.
 * Usage: node --import tsx scripts/bench-registration.ts [--runs 10] [--apdu-ms 20] [--kiosk-runs 10]
 * Prints a table, then one JSON line.
 */
const count = (v: string): number => {
  if (!/^[0-9]\d*$/.test(v)) throw new InvalidArgumentError('a whole number');
  return Number(v);
};
const opts = new Command('bench-registration')
  .description("enrolled vs unenrolled Express passport+face time, and the registration kiosk's transaction time in the twin; a table, then one JSON line")
  .option('--runs <n>', 'Express checks per way (after 2 warm-ups each)', count, 10)
  .option('--apdu-ms <ms>', 'air time of one APDU on the simulated chip', count, 20)
  .option('--kiosk-runs <n>', 'enrolments through the registration kiosk twin', count, 10)
  .parse()
  .opts<{ runs: number; apduMs: number; kioskRuns: number }>();

const FACES = new URL('../fixtures/faces/', import.meta.url).pathname;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const stats = (xs: number[]) => ({ p50: r1(percentile(xs, 50)), p95: r1(percentile(xs, 95)), n: xs.length });

const dir = mkdtempSync(join(tmpdir(), 'egate-bench-registration-'));
const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
const load0 = loadavg()[0]!;
const out: Record<string, unknown> = { conditions: { node: process.version, cpus: cpus().length, load1_start: r1(load0), runs: opts.runs, apdu_ms: opts.apduMs, kiosk_runs: opts.kioskRuns } };
try {
  // (1) Express: the same passport and live face, without and with an enrolment.
  const { pki, passports } = await makePassports(join(dir, 'passports'), { photo: FACES + 'person01-2.jpg', kinds: ['valid'] });
  const trust = TrustList.load({ csca: [pki.cscaPem], crl: [pki.crlPem] });
  const image = loadChipImage(passports.get('valid')!);
  const live = new Uint8Array(readFileSync(FACES + 'person01-1.jpg'));
  const clock = new SystemClock();
  const store = ReferenceStore.open({ path: join(dir, 'refs.db'), keyPath: join(dir, 'refs.key'), clock });
  const key = enrolmentIndexKey(join(dir, 'refs.key'));
  type Row = { doc: number; face: number; total: number; apdus: number; decision: string };
  const crossing = async (enrolled: boolean): Promise<{ row: Row; reference: FaceReference }> => {
    const reader = new SimulatedChipReader();
    reader.insert(new SimulatedChip(image));
    const transmit = reader.transmit.bind(reader);
    reader.transmit = async (apdu) => {
      const answer = await transmit(apdu);
      await sleep(opts.apduMs);
      return answer;
    };
    const doc = createDocumentCheck({
      chip: reader, trust: () => trust, engine, clock, log: silentLogger(), pseudonym: () => '0'.repeat(32),
      ...(enrolled ? { enrolled: (mrz: unknown) => findEnrolment(store, key, mrz, clock.now()) } : {}),
    });
    const t0 = performance.now();
    const verdict = await doc('passport', [...image.mrz]);
    const t1 = performance.now();
    if (!verdict.ok) throw new Error(`passport refused: ${verdict.reason}`);
    if ((verdict.detail?.face_reference === 'enrolment') !== enrolled) throw new Error('the enrolment was not used as expected');
    const v = await engine.verify(verdict.reference as FaceReference, live);
    const t2 = performance.now();
    return { row: { doc: t1 - t0, face: t2 - t1, total: t2 - t0, apdus: reader.transmits, decision: v.decision }, reference: verdict.reference as FaceReference };
  };
  // the registration kiosk enrols this booklet's DG2 template (as kiosk/registration does)
  const first = await crossing(false);
  const mrz = parseTd3(image.mrz);
  store.upsert(enrolmentSubFor(key, mrz), first.reference.template, { source: enrolmentSource(expiryOf(mrz)) });
  const rows: Record<'unenrolled' | 'enrolled', Row[]> = { unenrolled: [], enrolled: [] };
  for (let i = 0; i < opts.runs + 2; i++) {
    // alternate, so a change of machine load falls on both ways alike
    for (const way of ['unenrolled', 'enrolled'] as const) {
      const { row } = await crossing(way === 'enrolled');
      if (i >= 2) rows[way].push(row);
    }
  }
  const express: Record<string, unknown> = {};
  console.log(`Express passport + face, ${opts.runs} runs each, ${opts.apduMs} ms per APDU (simulated chip, real checks and engine)`);
  console.log(`${'way'.padEnd(12)} ${'APDUs'.padStart(6)} ${'document p50/p95 ms'.padStart(22)} ${'face p50/p95 ms'.padStart(18)} ${'total p50/p95 ms'.padStart(20)}  decisions`);
  for (const way of ['unenrolled', 'enrolled'] as const) {
    const rs = rows[way];
    const e = { apdus: rs[0]?.apdus ?? 0, document_ms: stats(rs.map((r) => r.doc)), face_ms: stats(rs.map((r) => r.face)), total_ms: stats(rs.map((r) => r.total)), matches: rs.filter((r) => r.decision === 'match').length };
    express[way] = e;
    console.log(`${way.padEnd(12)} ${String(e.apdus).padStart(6)} ${`${e.document_ms.p50} / ${e.document_ms.p95}`.padStart(22)} ${`${e.face_ms.p50} / ${e.face_ms.p95}`.padStart(18)} ${`${e.total_ms.p50} / ${e.total_ms.p95}`.padStart(20)}  ${e.matches}/${rs.length} match`);
  }
  const u = express.unenrolled as { total_ms: { p50: number } };
  const en = express.enrolled as { total_ms: { p50: number } };
  express.saved_ms_p50 = r1(u.total_ms.p50 - en.total_ms.p50);
  console.log(`an enrolled visitor saves ${express.saved_ms_p50} ms at p50 (DG2 read, decode, quality gate and extraction)`);
  out.express = express;
  store.close();

  // (2) The registration kiosk twin: enrolments, then every scenario once.
  const world = await RegistrationWorld.open(new SimulatedClock(), engine, {}, { apduMs: opts.apduMs });
  try {
    const enrol = REGISTRATION_SCENARIOS[0]!;
    const enrolMs: number[] = [];
    for (let i = 0; i < opts.kioskRuns + 1; i++) {
      const r = await playRegistrationScenario(world, enrol);
      if (!r.ok) throw new Error(`kiosk enrolment failed: ${r.why.join('; ')}`);
      if (i >= 1) enrolMs.push(r.kioskMs);
    }
    const all: number[] = [];
    for (const sc of REGISTRATION_SCENARIOS) {
      const r = await playRegistrationScenario(world, sc);
      if (!r.ok) throw new Error(`${sc.name}: ${r.why.join('; ')}`);
      all.push(r.kioskMs);
    }
    out.kiosk = { enrolment_ms: stats(enrolMs), all_scenarios_ms: stats(all) };
    console.log(`registration kiosk twin (start tap to result, visitor's own time excluded; ${opts.apduMs} ms per APDU):`);
    console.log(`  enrolment      p50 ${r1(percentile(enrolMs, 50))} ms  p95 ${r1(percentile(enrolMs, 95))} ms  (n=${enrolMs.length})`);
    console.log(`  all scenarios  p50 ${r1(percentile(all, 50))} ms  p95 ${r1(percentile(all, 95))} ms  (n=${all.length})`);
  } finally {
    await world.close();
  }
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
(out.conditions as Record<string, unknown>).load1_end = r1(loadavg()[0]!);
console.log(JSON.stringify(out));
