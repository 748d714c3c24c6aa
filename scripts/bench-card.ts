import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { loadCardImage } from '../drivers/card/card-image.ts';
import type { CardReader } from '../drivers/card/interface.ts';
import { PcscCardReader } from '../drivers/card/pcsc-card.ts';
import { SimulatedCardReader } from '../drivers/card/twin.ts';
import { Deduper } from '../drivers/scanner/dedupe.ts';
import { silentLogger } from '../core/log.ts';
import { SystemClock } from '../kiosk/clock.ts';
import { checkSmartIdCard } from '../kiosk/card/smart-id-check.ts';
import { ChipEmulator, VPCD_DRIVER, VPCD_READER } from '../test/drivers/chip/emulator.ts';
import { nextRead } from '../test/drivers/card/smart-id-contract.ts';
import { makeRig } from '../test/tokens/fixture.ts';
import { makeCards } from './make-card.ts';

/**
 * Smart identity card read (SELECT + EF.CRED + EF.PHOTO + EF.CARD) and chip authentication
 * (INTERNAL AUTHENTICATE + signature check) times: on the simulated twin, and over PC/SC
 * with pcscd + vpcd + scripts/vicc-hkid.py when installed. A table, then one JSON line.
 * Usage: node --import tsx scripts/bench-card.ts [--reads 30] [--emulator-reads 10] [--no-emulator]
 */
const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
};
const o = new Command('bench-card')
  .description('smart-ID card read and chip authentication time: simulated twin and PC/SC emulator; a table, then one JSON line')
  .option('--reads <n>', 'reads on the twin', count, 30)
  .option('--emulator-reads <n>', 'reads over PC/SC with the emulated card', count, 10)
  .option('--no-emulator', 'skip the PC/SC emulator')
  .parse()
  .opts<{ reads: number; emulatorReads: number; emulator: boolean }>();

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const summary = (xs: number[]) => ({ n: xs.length, p50: +pct(xs, 50).toFixed(1), p95: +pct(xs, 95).toFixed(1), max: +Math.max(...xs).toFixed(1) });

const rig = makeRig();
const dir = mkdtempSync(join(tmpdir(), 'egate-bench-card-'));
const cards = await makeCards(dir, rig.world, { kinds: ['valid'] });
const valid = cards.get('valid')!;
const clock = new SystemClock();
const out: Record<string, unknown> = { conditions: { node: process.version, cpus: cpus().length, loadavg1: +loadavg()[0]!.toFixed(1), photoBytes: loadCardImage(valid).files.get(0x0102)!.length } };

async function run(reader: CardReader, n: number, present: () => Promise<void>, remove: () => Promise<void>) {
  const read: number[] = [];
  const auth: number[] = [];
  for (let i = 0; i < n; i++) {
    const answer = nextRead(reader);
    await present();
    const r = await answer;
    if (!('credential' in r)) throw new Error(`read failed: ${r.code}`);
    let a = 0;
    const result = await checkSmartIdCard({
      files: r.smartId!.files, gateId: 'LWP-E07', verifier: rig.verifier,
      authenticate: async (c) => {
        const t0 = performance.now();
        try { return await r.smartId!.authenticate(c); } finally { a = performance.now() - t0; }
      },
    });
    if (!result.ok) throw new Error(`valid card refused: ${result.reason}`);
    read.push(r.smartId!.readMs);
    auth.push(a);
    await remove();
  }
  return { read: summary(read), auth: summary(auth) };
}

try {
  const twin = new SimulatedCardReader({ name: 'sim-card' }, { clock, log: silentLogger(), dedupe: new Deduper(0, clock), maxLength: 4096 });
  await twin.start();
  const image = loadCardImage(valid);
  out.twin = await run(twin, o.reads, async () => void twin.presentCard(image), async () => {
    const gone = new Promise<void>((r) => { const off = twin.on('removed', () => (off(), r())); });
    twin.remove();
    await gone;
  });
  await twin.stop();
  if (o.emulator && existsSync(VPCD_DRIVER)) {
    const emu = new ChipEmulator(fileURLToPath(new URL('./vicc-hkid.py', import.meta.url)));
    await emu.start();
    const reader = new PcscCardReader({ readerName: VPCD_READER, startTimeoutMs: 30_000 }, { clock, log: silentLogger(), dedupe: new Deduper(0, clock), maxLength: 4096 });
    try {
      await reader.start();
      out.pcsc = await run(reader, o.emulatorReads, () => emu.insert(valid), async () => {
        const gone = new Promise<void>((r) => { const off = reader.on('removed', () => (off(), r())); });
        await emu.remove();
        await gone;
      });
    } finally {
      await reader.stop();
      await emu.stop();
    }
  } else if (o.emulator) out.pcsc = { skipped: `missing ${VPCD_DRIVER}` };
  console.log('where  step      n    p50 ms   p95 ms   max ms');
  for (const where of ['twin', 'pcsc'] as const) {
    const w = out[where] as { read?: ReturnType<typeof summary>; auth?: ReturnType<typeof summary> } | undefined;
    for (const step of ['read', 'auth'] as const) {
      const s = w?.[step];
      if (s) console.log(`${where.padEnd(6)} ${step.padEnd(8)} ${String(s.n).padStart(3)} ${String(s.p50).padStart(8)} ${String(s.p95).padStart(8)} ${String(s.max).padStart(8)}`);
    }
  }
  console.log(JSON.stringify(out));
} finally {
  rig.close();
  rmSync(dir, { recursive: true, force: true });
}
