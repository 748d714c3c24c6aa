// @serial — one pcscd per machine: this file starts its own and must run alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcscCardReader } from '../../../drivers/card/pcsc-card.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import { SystemClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../core/log.ts';
import { makeCards } from '../../../scripts/make-card.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { makeRig } from '../../tokens/fixture.ts';
import { ChipEmulator, VPCD_DRIVER, VPCD_READER } from '../chip/emulator.ts';
import { cardContract, type CardHarness } from './smart-id-contract.ts';

type Ctx = CardHarness & { dir: string; emu: ChipEmulator; close(): void };
const LAUNCHER = fileURLToPath(new URL('../../../scripts/vicc-hkid.py', import.meta.url));

const t = peerSuite<Ctx>('smart-ID card: PC/SC driver with pcscd + vpcd + vicc-hkid', ['pcscd', '/usr/bin/python3', 'py:Cryptodome'], [
  { path: VPCD_DRIVER, hint: 'apt-get install vsmartcard-vpcd' },
  { path: '/usr/lib/python3/site-packages/virtualsmartcard', hint: 'apt-get install python3-virtualsmartcard' },
]);

t.before(async (ctx) => {
  const rig = makeRig();
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-card-vicc-'));
  ctx.cards = await makeCards(ctx.dir, rig.world);
  ctx.verifier = rig.verifier;
  ctx.timings = [];
  ctx.close = () => rig.close();
  ctx.emu = new ChipEmulator(LAUNCHER);
  await ctx.emu.start();
  const clock = new SystemClock();
  // dedupe 0: the contract presents the same card again on purpose.
  const reader = new PcscCardReader({ readerName: VPCD_READER, startTimeoutMs: 30_000 }, { clock, log: silentLogger(), dedupe: new Deduper(0, clock), maxLength: 4096 });
  ctx.reader = reader;
  await reader.start();
  if (reader.faulted) throw new Error('the PC/SC card reader did not find the virtual reader');
  ctx.present = (dir, pullAfter) => ctx.emu.insert(dir, pullAfter === undefined ? [] : ['--pull-after', String(pullAfter)]);
  ctx.remove = async () => {
    const gone = reader.hasCard ? new Promise<void>((r) => { const off = reader.on('removed', () => (off(), r())); }) : Promise.resolve();
    await ctx.emu.remove();
    await gone;
  };
});

t.after(async (ctx) => {
  await ctx.reader?.stop();
  await ctx.emu?.stop();
  ctx.close?.();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
  const valid = ctx.timings?.filter((x) => x.kind === 'valid' || x.kind === 'valid-after-pull') ?? [];
  if (valid.length) console.log(`PC/SC card read ms: ${valid.map((x) => x.readMs.toFixed(0)).join(', ')}; chip auth ms: ${valid.map((x) => x.authMs.toFixed(0)).join(', ')}`);
});

cardContract(t);

t.run();
