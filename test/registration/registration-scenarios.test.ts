import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { createExpressParts } from '../../kiosk/express/parts.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import type { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import { playRegistrationScenario, REGISTRATION_SCENARIOS } from '../../scripts/sim/registration-scenarios.ts';
import { RegistrationWorld } from '../../scripts/sim/registration-world.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * Every built-in registration scenario (the demo's) through the real profile, document check,
 * face engine, store and journal with the chip, MRZ, printer and camera twins, driven through
 * the touch page's session: the outcome, the captures, the enrolment only on ENROLLED (under
 * the passport's reference), the slip, the journal, and the kiosk back at the start having
 * forgotten the visitor.
 */
const t = peerSuite<{ engine: FaceEngine; world: RegistrationWorld }>('registration kiosk scenarios in the twin: expected vs actual', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.world = await RegistrationWorld.open(new SimulatedClock(), ctx.engine);
});
t.after(async (ctx) => {
  await ctx.world?.close();
  await ctx.engine?.close();
});

for (const sc of REGISTRATION_SCENARIOS) {
  t(`${sc.name} → ${sc.expect.outcome}, ${sc.expect.captures} capture(s)`, async ({ world }) => {
    const r = await playRegistrationScenario(world, sc);
    assert.ok(r.ok, r.why.join('; '));
    assert.is(r.got, sc.expect.outcome);
  });
}

t('the journal chain verifies; refusals carry visitor-level reasons and steps; pseudonyms only', async ({ world }) => {
  const events = world.journal.readAfter(0, 100_000);
  const refused = events.filter((e) => e.type === 'registration_refused').map((e) => e.data as { reason: string; step: string });
  for (const [reason, step] of [['PA_CHAIN', 'document'], ['CHIP_CLONED', 'document'], ['PA_HASH', 'document'], ['DOC_EXPIRED', 'document'], ['FACE_NO_MATCH', 'face'], ['PRESENTATION_ATTACK', 'face']]) {
    assert.ok(refused.some((d) => d.reason === reason && d.step === step), `${reason} at ${step}`);
  }
  const created = events.filter((e) => e.type === 'enrolment_created').map((e) => e.data as Record<string, unknown>);
  assert.is(created.length, 3);
  for (const d of created) {
    assert.match(String(d.enrolment), /^ENR-[A-Z2-7]{16}$/);
    assert.match(String(d.subject), /^[0-9a-f]{32}$/);
    assert.is(d.valid_until, '2034-05-15');
  }
  assert.ok(verifyJournal(world.journal.path).ok);
});

t('registered here, then at an Express lane sharing the store key: the lane finds the enrolment from the MRZ and does not read DG2', async ({ world, engine }) => {
  const r = await playRegistrationScenario(world, REGISTRATION_SCENARIOS[0]!);
  assert.ok(r.ok, r.why.join('; '));
  const [enrolled] = world.store.list();
  const lane = await createExpressParts(world.config, { clock: world.clock, log: silentLogger(), engine, pseudonym: (v) => world.journal.pseudonym(v), references: world.store });
  try {
    const image = loadChipImage(world.passports.get('valid')!);
    (lane.chipReader as SimulatedChipReader).insert(new SimulatedChip(image));
    const verdict = await lane.checkDocument('passport', [...image.mrz]);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.is(verdict.detail?.face_reference, 'enrolment');
    assert.equal(Array.from((verdict as { reference: { template: Float32Array } }).reference.template), Array.from(world.store.get(enrolled!.sub)!.template));
    // consent withdrawn (the enrolment deleted): DG2 as before
    world.store.remove(enrolled!.sub);
    (lane.chipReader as SimulatedChipReader).insert(new SimulatedChip(image));
    const again = await lane.checkDocument('passport', [...image.mrz]);
    assert.is(again.detail?.face_reference, 'dg2');
  } finally {
    await lane.chipReader.close();
  }
});

t.run();
