// @serial — one pcscd per machine: a whole pedestrian lane (face engine, journal) reading smart-ID cards over real PC/SC.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import type { EgateError } from '../../core/errors.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import type { DoorPlant } from '../../drivers/door/plant.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { buildGate, resolvePaths } from '../../kiosk/build.ts';
import { CARD_KINDS, type CardKind } from '../../kiosk/card/test-cards.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import type { Gate } from '../../kiosk/gate.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { createTokenWorld, HOLDER } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';
import { makeCards } from '../../scripts/make-card.ts';
import { scenarioSchema } from '../../scripts/sim/scenario.ts';
import { SimWorld, type CrossingResult } from '../../scripts/sim/world.ts';
import { ChipEmulator, VPCD_DRIVER, VPCD_READER } from '../drivers/chip/emulator.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * Issue 14 §1 end to end: the resident pedestrian lane built from config with
 * readers.card.driver = pcsc, cards served by vicc-hkid through pcscd/vpcd. A genuine card
 * clears (chip authentication, then the face), a cloned credential is refused
 * CARD_NOT_GENUINE with the entry shut, every test-card kind gets its reason, and a card pulled
 * mid-read starts no crossing.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const FACES = join(ROOT, 'fixtures/faces');
const LAUNCHER = fileURLToPath(new URL('../../scripts/vicc-hkid.py', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  dir: string;
  emu: ChipEmulator;
  gate: Gate;
  plant: DoorPlant;
  world: SimWorld;
  cards: Map<CardKind, string>;
  entryReleased: number;
  offState: () => void;
}

const t = peerSuite<Ctx>('resident lane: smart-ID card over PC/SC (pcscd + vpcd + vicc-hkid)', ['pcscd', '/usr/bin/python3', 'py:Cryptodome'], [
  { path: VPCD_DRIVER, hint: 'apt-get install vsmartcard-vpcd' },
  { path: '/usr/lib/python3/site-packages/virtualsmartcard', hint: 'apt-get install python3-virtualsmartcard' },
]);

const traveller = (kind: string) =>
  scenarioSchema.parse({ travellers: [{ name: `card-${kind}`, reference: ['person02-42.jpg'], live: ['person02-44.jpg'], token: 'card' }] }).travellers[0]!;

/** The reader's next refusal of a card it could not read (CARD_UNREADABLE), with a deadline for a loaded machine. */
function nextCardError(gate: Gate, ms = 60_000): Promise<EgateError> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error('the card reader reported no error'))), ms);
    const off = gate.deps.card!.on('error', (e) => (clearTimeout(timer), off(), resolve(e)));
  });
}

t.before(async (ctx) => {
  const t0 = Date.now();
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-lane-pcsc-'));
  const tokens = createTokenWorld({ nowMs: Date.now() });
  saveTokenWorld(tokens, join(ctx.dir, 'tokens'));
  ctx.cards = await makeCards(join(ctx.dir, 'cards'), tokens, { photo: join(FACES, 'person02-42.jpg') });
  ctx.emu = new ChipEmulator(LAUNCHER);
  await ctx.emu.start();
  const config = resolvePaths(
    parseConfig({
      gate: 'LWP-E07',
      dataDir: 'var',
      door: { driver: 'simulated' },
      camera: { driver: 'simulated' },
      readers: { scanners: [{ kind: 'simulated' }], card: { driver: 'pcsc', readerName: VPCD_READER } },
      tokens: { fleetKeysDir: 'tokens/fleet', trustListPath: 'tokens/trust-list.json', revocationListPath: 'tokens/revocations.json' },
      timings: { healthyBeforeServiceMs: 200, refusalDisplayMs: 500, faceBudgetMs: 8000 },
    }),
    ctx.dir,
  );
  const clock = new SystemClock();
  const engine = await createFaceEngine(config.face);
  const built = await buildGate(config, { clock, log: silentLogger(), engine });
  ctx.gate = built.gate;
  ctx.plant = built.plant!;
  const ref = await engine.extractReference(new Uint8Array(readFileSync(join(FACES, 'person02-42.jpg'))));
  ctx.gate.deps.references.upsert(HOLDER, ref.template, { source: 'test' });
  await ctx.gate.start();
  assert.not.ok(ctx.gate.deps.card!.faulted, 'the PC/SC card reader found the virtual reader');
  ctx.entryReleased = 0;
  ctx.offState = ctx.gate.bus.on('state', (s) => s.outputs.entry_release && ctx.entryReleased++);
  const camera = ctx.gate.deps.camera;
  if (!(camera instanceof SimulatedCamera)) throw new Error('camera twin expected');
  ctx.world = new SimWorld({
    gate: ctx.gate,
    plant: ctx.plant,
    camera,
    scan: () => {},
    presentCard: () => {},
    removeCard: () => {},
    tokens,
    // The resident lays the card of this kind on the real reader; takes it back after the crossing.
    present: async (tr) => ctx.emu.insert(ctx.cards.get(tr.name.slice('card-'.length) as CardKind)!),
    afterCrossing: () => void ctx.emu.remove(),
    photosDir: FACES,
    impostorPhoto: () => join(FACES, 'person01-1.jpg'),
    spoofPhoto: join(FACES, 'spoof-screen-person01-1.jpg'),
  });
  const end = Date.now() + 60_000;
  while (ctx.gate.state?.state !== 'in_service.idle' && Date.now() < end) await sleep(50);
  assert.is(ctx.gate.state?.state, 'in_service.idle', 'gate in service');
  console.log(`  set-up ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

let started = 0;
t.before.each(() => void (started = Date.now()));
t.after.each(() => console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`));

t.after(async (ctx) => {
  ctx.offState?.();
  await ctx.gate?.stop();
  ctx.plant?.stop();
  await ctx.emu?.stop();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

const cross = (ctx: Ctx, kind: string): Promise<CrossingResult> => ctx.world.cross(traveller(kind), HOLDER, 60_000);

t('a genuine card clears: chip authenticated over PC/SC, then the face', async (ctx) => {
  const r = await cross(ctx, 'valid');
  assert.is(`${r.outcome} ${r.reason}`, 'CLEARED OK');
  assert.is(r.record?.token_type, 'card');
});

for (const kind of (Object.keys(CARD_KINDS) as CardKind[]).filter((k) => k !== 'valid')) {
  t(`a ${kind} card is refused ${CARD_KINDS[kind]} and the entry never opens`, async (ctx) => {
    const before = ctx.entryReleased;
    const r = await cross(ctx, kind);
    assert.is(`${r.outcome} ${r.reason}`, `REJECTED_TOKEN ${CARD_KINDS[kind]}`);
    assert.is(ctx.entryReleased, before, 'entry never released');
  });
}

t('a card pulled mid-read (in EF.PHOTO): the reader reports CARD_UNREADABLE, no crossing starts, the lane stays idle and shut', async (ctx) => {
    const journalled: string[] = [];
    const off = ctx.gate.bus.on('journal', (e) => journalled.push(e.type));
    const before = ctx.entryReleased;
    try {
      const error = nextCardError(ctx.gate);
      await ctx.emu.insert(ctx.cards.get('valid')!, ['--pull-after', '6']);
      assert.is((await error).code, 'CARD_UNREADABLE');
      await ctx.emu.remove();
      await sleep(300);
      assert.is(ctx.gate.state?.state, 'in_service.idle');
      assert.is(ctx.entryReleased, before);
      assert.not.ok(journalled.includes('crossing_started'), journalled.join(','));
    } finally {
      off();
      await ctx.emu.remove();
    }
    // The lane goes on serving: the genuine card right after clears.
    const r = await cross(ctx, 'valid');
    assert.is(`${r.outcome} ${r.reason}`, 'CLEARED OK');
});

t('the journal names no card number, identity number or credential bytes', async (ctx) => {
  const j = ctx.gate.deps.journal;
  const text = JSON.stringify(j.readAfter(0, j.lastSeq() + 1));
  assert.not.ok(text.includes('Z683365'), 'card number');
  assert.not.ok(text.includes(HOLDER), 'identity number');
  assert.ok(text.includes('CARD_NOT_GENUINE'), 'the refusal reason is journalled');
});

t.run();
