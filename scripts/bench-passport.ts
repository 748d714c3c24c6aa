import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChipImage } from '../drivers/chip/chip-image.ts';
import { PcscChipReader } from '../drivers/chip/pcsc.ts';
import { loadPcscAddon } from '../drivers/chip/pcsc-addon.ts';
import { SimulatedChip } from '../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../drivers/chip/sim-reader.ts';
import { SystemClock } from '../kiosk/clock.ts';
import { parseDg1 } from '../kiosk/passport/lds.ts';
import { passiveAuthentication } from '../kiosk/passport/passive-auth.ts';
import { readAndVerifyPassport, type PassportResult } from '../kiosk/passport/read-passport.ts';
import { TrustList } from '../kiosk/passport/trust.ts';
import { ChipEmulator, VPCD_DRIVER, VPCD_READER } from '../test/drivers/chip/emulator.ts';
import { makePassports } from './make-passport.ts';

/**
 * Per-step times of a chip read (access control, each file) and of Passive Authentication,
 * on the simulated chip and on the emulator (pcscd + vpcd + vicc) when it is installed.
 * Usage: node --import tsx scripts/bench-passport.ts [--reads 40] [--pa 300] [--emulator-reads 3] [--no-emulator]
 * Prints a table, then one JSON line with every figure.
 */
const count = (v: string): number => {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('a positive whole number');
  return Number(v);
};
const opts = new Command('bench-passport')
  .description('per-step times of a chip read and of Passive Authentication: simulated chip, and the emulator (pcscd + vicc) when installed; a table, then one JSON line')
  .option('--reads <n>', 'simulated chip reads per passport kind', count, 40)
  .option('--pa <n>', 'Passive Authentication runs', count, 300)
  .option('--emulator-reads <n>', 'reads through the emulator', count, 3)
  .option('--no-emulator', 'skip the emulator part')
  .parse()
  .opts<{ reads: number; pa: number; emulatorReads: number; emulator: boolean }>();
const READS = opts.reads;
const PA_RUNS = opts.pa;
const EMU_READS = opts.emulatorReads;

/** Why the emulator part cannot run on this machine's PC/SC addon, or undefined when it can. */
function pcscAddonMissing(): string | undefined {
  try {
    loadPcscAddon();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

type Stats = Record<string, { p50: number; p95: number; n: number }>;

function summarise(results: { timings: Record<string, number>; total: number }[]): Stats {
  const steps = new Map<string, number[]>();
  for (const r of results) {
    for (const [k, v] of Object.entries(r.timings)) steps.set(k, [...(steps.get(k) ?? []), v]);
    steps.set('total', [...(steps.get('total') ?? []), r.total]);
  }
  return Object.fromEntries([...steps].map(([k, v]) => [k, { p50: r2(pct(v, 50)), p95: r2(pct(v, 95)), n: v.length }]));
}

const dir = mkdtempSync(join(tmpdir(), 'egate-bench-passport-'));
const clock = new SystemClock();
const out: Record<string, unknown> = { conditions: { node: process.version, cpus: (await import('node:os')).cpus().length, reads: READS, paRuns: PA_RUNS } };
try {
  const { passports, pki } = await makePassports(dir, { kinds: ['valid', 'valid-pace', 'valid-jp2', 'valid-aa'] });
  const trust = TrustList.load({ csca: [pki.cscaPem], crl: [pki.crlPem] });
  const dg2Bytes = loadChipImage(passports.get('valid')!).files.get(0x0102)!.length;
  out.dg2Bytes = dg2Bytes;

  const simRuns = async (kind: 'valid' | 'valid-pace' | 'valid-jp2' | 'valid-aa') => {
    const img = loadChipImage(passports.get(kind)!);
    const results: { timings: Record<string, number>; total: number }[] = [];
    for (let i = 0; i < READS + 2; i++) {
      const reader = new SimulatedChipReader();
      reader.insert(new SimulatedChip(img));
      await reader.connect();
      const t0 = clock.monotonic();
      const r: PassportResult = await readAndVerifyPassport({ mrz: img.mrz, chip: reader, trust, clock });
      if (!r.ok) throw new Error(`${kind} rejected: ${r.reason}`);
      if (i >= 2) results.push({ timings: r.timings, total: clock.monotonic() - t0 }); // first two warm up (JIT, codec load)
    }
    return summarise(results);
  };
  const sim: Record<string, Stats> = {};
  for (const kind of ['valid', 'valid-pace', 'valid-jp2', 'valid-aa'] as const) sim[kind] = await simRuns(kind);
  out.simulated = sim;

  // Passive Authentication alone, on the bytes of a valid passport.
  const img = loadChipImage(passports.get('valid')!);
  const files = img.files;
  const pa: number[] = [];
  for (let i = 0; i < PA_RUNS + 10; i++) {
    const t0 = clock.monotonic();
    passiveAuthentication({
      efSod: files.get(0x011d)!, dataGroups: new Map([[1, files.get(0x0101)!], [2, files.get(0x0102)!]]), comGroups: [1, 2],
      dg1Mrz: parseDg1(files.get(0x0101)!), opticalMrz: img.mrz, trust, now: new Date(),
    });
    if (i >= 10) pa.push(clock.monotonic() - t0);
  }
  out.passiveAuthentication = { p50: r2(pct(pa, 50)), p95: r2(pct(pa, 95)), max: r2(Math.max(...pa)), n: pa.length };

  const emulatorMissing = !opts.emulator
    ? '--no-emulator'
    : !existsSync(VPCD_DRIVER) || !existsSync('/usr/lib/python3/site-packages/virtualsmartcard')
      ? 'vpcd/vicc not installed (apt-get install vsmartcard-vpcd python3-virtualsmartcard)'
      : pcscAddonMissing();
  if (emulatorMissing) console.log(`SKIP emulator reads: ${emulatorMissing}`);
  if (!emulatorMissing) {
    const emu = new ChipEmulator();
    const reader = new PcscChipReader(VPCD_READER);
    try {
      await emu.start();
      await reader.start();
      const results: { timings: Record<string, number>; total: number }[] = [];
      for (let i = 0; i < EMU_READS; i++) {
        const present = new Promise<void>((res) => reader.once('present', () => res()));
        await emu.insert(passports.get('valid')!);
        if (!reader.cardPresent) await present;
        await reader.connect();
        const t0 = clock.monotonic();
        const r = await readAndVerifyPassport({ mrz: img.mrz, chip: reader, trust, clock });
        if (!r.ok) throw new Error(`emulator read rejected: ${r.reason}`);
        results.push({ timings: r.timings, total: clock.monotonic() - t0 });
        const removed = new Promise<void>((res) => reader.once('removed', () => res()));
        await emu.remove();
        await removed;
        await reader.disconnect();
      }
      out.emulator = summarise(results);
    } finally {
      await reader.close();
      await emu.stop();
    }
  } else out.emulator = `skipped (${emulatorMissing})`;

  const rows: string[][] = [['where', 'step', 'p50 ms', 'p95 ms', 'n']];
  for (const [kind, stats] of Object.entries(sim)) for (const [step, s] of Object.entries(stats)) rows.push([`sim ${kind}`, step, String(s.p50), String(s.p95), String(s.n)]);
  const paStats = out.passiveAuthentication as { p50: number; p95: number; n: number };
  rows.push(['—', 'passive authentication alone', String(paStats.p50), String(paStats.p95), String(paStats.n)]);
  if (typeof out.emulator === 'object') for (const [step, s] of Object.entries(out.emulator as Stats)) rows.push(['emulator valid', step, String(s.p50), String(s.p95), String(s.n)]);
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(w[c]!)).join('  '));
  console.log(JSON.stringify(out));
} catch (err) {
  // An expected failure (no chip, a rejected read) is one line, not a stack trace.
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
