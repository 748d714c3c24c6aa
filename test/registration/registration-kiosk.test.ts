import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedPrinter } from '../../drivers/printer/twin.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import type { TokenVerdict } from '../../kiosk/crossing/types.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import { enrolmentSubFor } from '../../kiosk/express/enrolment-index.ts';
import { REFUSALS } from '../../kiosk/registration/registration-screens.ts';
import { RegistrationKiosk, refusalOf } from '../../kiosk/registration/registration-kiosk.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import { makeMrz } from '../../scripts/make-passport.ts';

const MRZ = makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515' });
const CHIP_TEMPLATE = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);
const INDEX_KEY = Buffer.alloc(32, 7);
const GOOD: TokenVerdict = { ok: true, tokenType: 'passport', subject: 'p-3f9a1c', reference: { template: CHIP_TEMPLATE, source: 'chip' } };
type Decision = 'match' | 'no_match' | 'spoof' | 'no_face' | 'poor_quality';

interface Ctx {
  dir: string;
  clock: SimulatedClock;
  store: ReferenceStore;
  printer: SimulatedPrinter;
  journal: { event: string; data: Record<string, unknown> }[];
  verdict: TokenVerdict;
  decisions: Decision[];
  captures: number;
  kiosk: RegistrationKiosk;
}

const t = suite<Ctx>('registration kiosk: statechart bound to store, printer twin, journal');
t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-reg-'));
  ctx.clock = new SimulatedClock();
  ctx.store = ReferenceStore.open({ path: join(ctx.dir, 'refs.db'), keyPath: join(ctx.dir, 'refs.key'), clock: ctx.clock });
  ctx.printer = new SimulatedPrinter({ statusTimeoutMs: 1000 }, { clock: ctx.clock });
  await ctx.printer.open();
  ctx.journal = [];
  ctx.verdict = GOOD;
  ctx.decisions = [];
  ctx.captures = 0;
  ctx.kiosk = new RegistrationKiosk(
    {
      checkDocument: async () => ctx.verdict,
      captureAndVerify: async (reference, guide) => {
        ctx.captures++;
        assert.is((reference as { template: Float32Array }).template, CHIP_TEMPLATE);
        guide('too_small');
        return ctx.decisions.shift() ?? 'no_face';
      },
      store: ctx.store,
      enrolmentSub: (m) => enrolmentSubFor(INDEX_KEY, m),
      printer: ctx.printer,
      journal: (event, data) => ctx.journal.push({ event, data }),
      clock: ctx.clock,
      kiosk: 'REG-03',
    },
    { maxAttempts: 3, resultMs: 15_000 },
  );
});
t.after.each(async (ctx) => {
  ctx.kiosk.actor.stop();
  await ctx.printer.close();
  ctx.store.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

async function reach(k: RegistrationKiosk, state: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (k.screen().id !== state) {
    if (Date.now() > deadline) throw new Error(`stuck in ${k.screen().id}, expected ${state}`);
    await sleep(5);
  }
}

async function toConsent(ctx: Ctx): Promise<void> {
  ctx.kiosk.act('start');
  assert.is(ctx.kiosk.screen().id, 'awaitingPassport');
  ctx.kiosk.passportRead(MRZ);
  await reach(ctx.kiosk, 'consent');
}

t('enrols the chip template with the passport expiry, journals without the number, prints the slip', async (ctx) => {
  await toConsent(ctx);
  const consent = ctx.kiosk.screen();
  assert.ok(consent.lines.some((l) => l.en.includes('until your passport expires')));
  assert.ok(consent.lines.some((l) => l.en.includes('withdraw consent') && l['zh-Hant'].includes('撤回同意') && l['zh-Hans'].includes('撤回同意')));
  ctx.decisions.push('match');
  ctx.kiosk.act('agree');
  await reach(ctx.kiosk, 'done');
  const [ref] = ctx.store.list();
  assert.ok(ref && /^ENR-[A-Z2-7]{16}$/.test(ref.sub));
  assert.is(ref.sub, enrolmentSubFor(INDEX_KEY, parseTd3(MRZ)), 'the Express lane finds the enrolment again from the MRZ');
  assert.equal(Array.from(ctx.store.get(ref.sub)!.template), Array.from(CHIP_TEMPLATE));
  assert.is(ref.source, 'registration:until-2034-05-15');
  const created = ctx.journal.filter((j) => j.event === 'enrolment_created');
  assert.is(created.length, 1);
  assert.equal(created[0]!.data, { enrolment: ref.sub, subject: 'p-3f9a1c', issuing_state: 'UTO', valid_until: '2034-05-15', kiosk: 'REG-03' });
  const printed = Buffer.from(ctx.printer.model.printed).toString('latin1');
  assert.ok(printed.includes(ref.sub) && printed.includes('2034-05-15'));
  assert.not.ok(printed.includes('UT1234567') || JSON.stringify(ctx.journal).includes('UT1234567'));
  assert.ok(ctx.kiosk.screen().lines[0]!.en.includes('slip'));
  ctx.clock.advance(15_000);
  assert.is(ctx.kiosk.screen().id, 'welcome');
});

for (const [reason, refusal] of [['PA_SIGNATURE', 'CHIP_NOT_GENUINE'], ['CHIP_CLONED', 'CHIP_NOT_GENUINE'], ['DOC_NOT_ELIGIBLE', 'DOCUMENT_NOT_ELIGIBLE'], ['DOC_EXPIRED', 'DOCUMENT_NOT_ELIGIBLE'], ['CHIP_UNREADABLE', 'CHIP_UNREADABLE']] as const) {
  t(`document refused ${reason}: the visitor reads ${refusal}; no capture, nothing enrolled`, async (ctx) => {
    assert.is(refusalOf(reason), refusal);
    ctx.verdict = { ok: false, tokenType: 'passport', reason };
    ctx.kiosk.act('start');
    ctx.kiosk.passportRead(MRZ);
    await reach(ctx.kiosk, 'refused');
    assert.equal(ctx.kiosk.screen().lines[0], REFUSALS[refusal]);
    assert.is(ctx.captures, 0);
    assert.is(ctx.store.count(), 0);
    assert.is(ctx.printer.model.printed.length, 0);
  });
}

t('declined consent: no capture, nothing kept', async (ctx) => {
  await toConsent(ctx);
  ctx.kiosk.act('decline');
  assert.is(ctx.kiosk.screen().id, 'declined');
  assert.is(ctx.captures, 0);
  assert.is(ctx.store.count(), 0);
});

t('face does not match: at most 3 tries with tries left shown, then FACE_NO_MATCH; nothing enrolled', async (ctx) => {
  await toConsent(ctx);
  ctx.decisions.push('no_match', 'poor_quality', 'no_match', 'match');
  ctx.kiosk.act('agree');
  await reach(ctx.kiosk, 'retry');
  assert.is(ctx.kiosk.screen().lines[0]!.en, '2 tries left');
  ctx.kiosk.act('again');
  await reach(ctx.kiosk, 'retry');
  assert.is(ctx.kiosk.screen().lines[0]!.en, '1 try left');
  ctx.kiosk.act('again');
  await reach(ctx.kiosk, 'refused');
  assert.equal(ctx.kiosk.screen().lines[0], REFUSALS.FACE_NO_MATCH);
  assert.is(ctx.captures, 3);
  assert.is(ctx.store.count(), 0);
  assert.ok(ctx.journal.some((j) => j.event === 'registration_refused' && j.data.reason === 'FACE_NO_MATCH'));
});

t('presentation attack: refused at once, no second try', async (ctx) => {
  await toConsent(ctx);
  ctx.decisions.push('spoof', 'match');
  ctx.kiosk.act('agree');
  await reach(ctx.kiosk, 'refused');
  assert.equal(ctx.kiosk.screen().lines[0], REFUSALS.PRESENTATION_ATTACK);
  assert.is(ctx.store.count(), 0);
});

t('no paper: enrolled all the same, the screen gives the reference instead of the slip', async (ctx) => {
  ctx.printer.model.paper = 'out';
  await toConsent(ctx);
  ctx.decisions.push('match');
  ctx.kiosk.act('agree');
  await reach(ctx.kiosk, 'done');
  const [ref] = ctx.store.list();
  assert.ok(ctx.kiosk.screen().lines[0]!.en.includes(`Reference: ${ref!.sub}`));
  assert.is(ctx.printer.model.printed.length, 0);
});

t('reset (inactivity) during the check: back to the start, a late result is ignored and the passport forgotten', async (ctx) => {
  let release: (v: TokenVerdict) => void = () => {};
  ctx.verdict = GOOD;
  const slow = new Promise<TokenVerdict>((r) => (release = r));
  (ctx.kiosk as unknown as { ports: { checkDocument: () => Promise<TokenVerdict> } }).ports.checkDocument = () => slow;
  ctx.kiosk.act('start');
  ctx.kiosk.passportRead(MRZ);
  assert.is(ctx.kiosk.screen().id, 'checkingDocument');
  ctx.kiosk.reset();
  release(GOOD);
  await sleep(20);
  assert.is(ctx.kiosk.screen().id, 'welcome');
  ctx.kiosk.act('start');
  ctx.kiosk.act('agree'); // not offered: ignored by the statechart
  assert.is(ctx.kiosk.screen().id, 'awaitingPassport');
  assert.is(ctx.captures, 0);
});

t.run();
