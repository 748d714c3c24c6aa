import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { worldQr } from '../../kiosk/tokens/token-world.ts';
import { startCorridorGate, type CorridorGate } from '../../scripts/sim/corridor-gate.ts';
import { walkCorridor } from '../../scripts/sim/corridor-world.ts';

const FACES = new URL('../../fixtures/faces/', import.meta.url).pathname;
const RESIDENT = 'R2000001';
const TAPPER = 'R2000005';
const t = suite<{ g: CorridorGate }>('walk-through gate built by buildGate: camera twins, door twin, real face engine, 1:N gallery, journal');

t.before(async (ctx) => {
  ctx.g = await startCorridorGate({
    log: silentLogger(),
    photosDir: FACES,
    residents: [
      { sub: RESIDENT, photo: 'person01-2.jpg' },
      { sub: 'R2000003', photo: 'person03-48.jpg' },
      { sub: 'R2000004', photo: 'person04-3.jpg' },
      // Enrolled, not opted in to token-free crossing: not in the gallery; crosses with a token tap.
      { sub: TAPPER, photo: 'person05-16.jpg', optIn: false },
    ],
  });
  // The lane comes into service after healthyBeforeServiceMs with the door link up and no fault.
  for (let i = 0; i < 2000 && ctx.g.gate.state?.mode !== 'in_service'; i++) await ctx.g.wait(5);
  assert.is(ctx.g.gate.state?.mode, 'in_service');
});
t.after(async (ctx) => {
  await ctx.g?.close();
});

t('an opted-in resident walking at 1.2 m/s is identified 1:N and the exit opens for them: CLEARED, under 5 s to the door', async (ctx) => {
  const journal: { type: string; data: Record<string, unknown> }[] = [];
  const off = ctx.g.gate.bus.on('journal', (j) => journal.push(j));
  const r = await walkCorridor(ctx.g, [{ name: 'resident', photo: 'person01-1.jpg', sub: RESIDENT, enterAt: 0, speed: 1.2, x: 0 }], { photosDir: FACES });
  off();
  assert.equal(r.outcomes.map((o) => o.outcome), ['CLEARED'], JSON.stringify(r.outcomes));
  assert.is(r.outcomes[0]!.subject, ctx.g.gate.deps.journal.pseudonym(RESIDENT));
  assert.is(r.wrongOpenings, 0);
  assert.ok(r.corridorMs.resident !== null && r.corridorMs.resident! < 5000, `corridor ${r.corridorMs.resident} ms`);
  const types = journal.map((j) => j.type);
  for (const ty of ['crossing_started', 'face_attempt', 'crossing_finished']) assert.ok(types.includes(ty), `journal has ${ty}: ${types.join(',')}`);
  assert.is(journal.find((j) => j.type === 'crossing_started')!.data.channel, 'corridor');
  assert.is(journal.find((j) => j.type === 'face_attempt')!.data.decision, 'match');
});

t('an impostor (not enrolled) is refused at the decision line, the exit stays shut, they walk back: REJECTED_FACE', async (ctx) => {
  const r = await walkCorridor(ctx.g, [{ name: 'impostor', photo: 'person07-30.jpg', enterAt: 0, speed: 1.2, x: 0 }], { photosDir: FACES });
  assert.equal(r.outcomes.map((o) => o.outcome), ['REJECTED_FACE'], JSON.stringify(r.outcomes));
  assert.is(r.outcomes[0]!.subject, null);
  assert.is(r.wrongOpenings, 0);
  assert.is(r.corridorMs.impostor, null);
});

t('a resident not opted in taps a phone QR at the entry: compared 1:1 with the token reference, CLEARED with token_type mobile', async (ctx) => {
  const scanner = ctx.g.gate.deps.scanners[0];
  assert.ok(scanner instanceof SimulatedScanner);
  const qr = worldQr(ctx.g.tokens, { sub: TAPPER });
  const r = await walkCorridor(ctx.g, [{ name: 'tapper', photo: 'person05-17.jpg', sub: TAPPER, enterAt: 0, speed: 1.2, x: 0, tapQr: qr }], { photosDir: FACES, tap: (text) => scanner.scan(text) });
  assert.equal(r.outcomes.map((o) => [o.outcome, o.via]), [['CLEARED', 'mobile']], JSON.stringify(r.outcomes));
  assert.is(r.outcomes[0]!.subject, ctx.g.gate.deps.journal.pseudonym(TAPPER));
  assert.is(r.wrongOpenings, 0);
});

t('the same resident without a tap is not in the gallery (no consent to 1:N): REJECTED_FACE, the exit stays shut', async (ctx) => {
  const r = await walkCorridor(ctx.g, [{ name: 'untapped', photo: 'person05-17.jpg', enterAt: 0, speed: 1.2, x: 0 }], { photosDir: FACES });
  assert.equal(r.outcomes.map((o) => o.outcome), ['REJECTED_FACE'], JSON.stringify(r.outcomes));
  assert.is(r.corridorMs.untapped, null);
});

t.run();
