import { readFileSync } from 'node:fs';
import { SimulatedClock } from '../../core/clock.ts';
import { generateP256 } from '../../kiosk/tokens/cose-key.ts';
import { personaliseCard, type TestCard } from '../../kiosk/card/test-cards.ts';
import { issueSlip } from '../../kiosk/collection/slip.ts';
import type { CollectionWorld } from './collection-world.ts';

const FIXTURES = new URL('../../fixtures/faces/', import.meta.url).pathname;
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + f));

/** What the resident brings and does, what is in the slot, and what the kiosk must end with. */
export interface CollectionScenario {
  name: string;
  slip: 'valid' | 'forged' | 'expired' | 'used' | 'garbage';
  /** What the slot the manifest names really holds. */
  card: 'valid' | 'other_residents' | 'cloned';
  live: 'holder' | 'other' | 'spoof' | 'nobody';
  takes: boolean;
  fault?: 'jam' | 'link_lost_at_reader';
  expect: { outcome: string; reason: string | null; card: 'taken' | 'bin' | 'stacker' };
}

export const COLLECTION_SCENARIOS: CollectionScenario[] = [
  { name: 'collected', slip: 'valid', card: 'valid', live: 'holder', takes: true, expect: { outcome: 'COLLECTED', reason: null, card: 'taken' } },
  { name: 'card not taken: retained', slip: 'valid', card: 'valid', live: 'holder', takes: false, expect: { outcome: 'NOT_TAKEN', reason: 'NOT_TAKEN', card: 'bin' } },
  { name: 'face mismatch', slip: 'valid', card: 'valid', live: 'other', takes: true, expect: { outcome: 'REFUSED', reason: 'FACE_MISMATCH', card: 'bin' } },
  { name: 'presentation attack (screen replay)', slip: 'valid', card: 'valid', live: 'spoof', takes: true, expect: { outcome: 'REFUSED', reason: 'PRESENTATION_ATTACK', card: 'bin' } },
  { name: 'nobody at the camera', slip: 'valid', card: 'valid', live: 'nobody', takes: true, expect: { outcome: 'REFUSED', reason: 'FACE_TIMEOUT', card: 'bin' } },
  { name: 'slip of an untrusted issuer', slip: 'forged', card: 'valid', live: 'holder', takes: true, expect: { outcome: 'REFUSED', reason: 'ISSUER_UNTRUSTED', card: 'stacker' } },
  { name: 'slip expired', slip: 'expired', card: 'valid', live: 'holder', takes: true, expect: { outcome: 'REFUSED', reason: 'SLIP_EXPIRED', card: 'stacker' } },
  { name: 'slip already used', slip: 'used', card: 'valid', live: 'holder', takes: true, expect: { outcome: 'REFUSED', reason: 'SLIP_USED', card: 'stacker' } },
  { name: 'not a slip (garbage QR)', slip: 'garbage', card: 'valid', live: 'holder', takes: true, expect: { outcome: 'REFUSED', reason: 'MALFORMED', card: 'stacker' } },
  { name: 'wrong card in the slot', slip: 'valid', card: 'other_residents', live: 'holder', takes: true, expect: { outcome: 'REFUSED', reason: 'WRONG_CARD', card: 'bin' } },
  { name: 'card not genuine (cloned chip)', slip: 'valid', card: 'cloned', live: 'holder', takes: true, expect: { outcome: 'REFUSED', reason: 'CARD_NOT_GENUINE', card: 'bin' } },
  { name: 'dispenser jammed', slip: 'valid', card: 'valid', live: 'holder', takes: true, fault: 'jam', expect: { outcome: 'REFUSED', reason: 'DISPENSER_REFUSED', card: 'stacker' } },
  { name: 'dispenser link lost, card at reader', slip: 'valid', card: 'valid', live: 'holder', takes: true, fault: 'link_lost_at_reader', expect: { outcome: 'OUT_OF_SERVICE', reason: 'DISPENSER_OFFLINE', card: 'bin' } },
];

/** The faces: person07's card photo (chip-style, < 32 KiB) and another photo of them live; person01 as someone else; a screen replay. */
export interface CollectionCast {
  cardPhoto: Uint8Array;
  holder: Uint8Array;
  other: Uint8Array;
  spoof: Uint8Array;
}

export function makeCollectionCast(): CollectionCast {
  return { cardPhoto: read('person07-30.jpg'), holder: read('person07-29.jpg'), other: read('person01-2.jpg'), spoof: read('spoof-screen-person01-1.jpg') };
}

export interface CollectionRun {
  name: string;
  expected: string;
  got: string;
  card: string;
  /** Resident-facing time from the scan to the result screen on the kiosk's clock (ms). */
  kioskMs: number;
  wallMs: number;
  ok: boolean;
  why: string[];
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
let serial = 0;

/** A resident with a card personalised for them, loaded in the next slot, and their slip. */
export function newResident(w: CollectionWorld, cast: CollectionCast, kind: CollectionScenario['card'] = 'valid'): { slip: string; label: string; number: string; sub: string } {
  serial++;
  const sub = `R${String(5_000_000 + serial)}`;
  const number = `C${String(100_000 + serial)}(${serial % 10})`;
  const label = `card-${serial}`;
  const slot = ((serial - 1) % 50) + 1;
  let card: TestCard;
  if (kind === 'other_residents') card = personaliseCard(w.tokens, { photo: cast.cardPhoto, sub: `R${String(6_000_000 + serial)}`, number: `D${String(100_000 + serial)}(1)` });
  else if (kind === 'cloned') {
    const genuine = personaliseCard(w.tokens, { photo: cast.cardPhoto, sub, number });
    card = { files: genuine.files, chipKey: generateP256().privateKey };
  } else card = personaliseCard(w.tokens, { photo: cast.cardPhoto, sub, number });
  w.load(slot, number, label, card);
  const nowS = Math.floor(w.clock.now() / 1000);
  const slip = issueSlip({ issuerKey: w.tokens.issuer.keys.privateKey, issuerKid: w.tokens.issuer.kid, sub, cardNumber: number, iat: nowS - 3600, exp: nowS + 30 * 86_400 });
  return { slip, label, number, sub };
}

/**
 * Plays one scenario as a scripted resident. The clock moves while the kiosk waits on a device
 * or the resident, never while the kiosk computes (card checks, face engine): a SimulatedClock
 * sees compute as instant, and moving it meanwhile would count compute turns as kiosk time.
 */
export async function playCollectionScenario(w: CollectionWorld, cast: CollectionCast, sc: CollectionScenario, memo: { usedSlip?: string } = {}): Promise<CollectionRun> {
  const sim = w.clock instanceof SimulatedClock ? w.clock : null;
  const state = (): string => String(w.kiosk.actor.getSnapshot().value);
  const deadline = Date.now() + 120_000;
  const until = async (done: () => boolean, what: string): Promise<void> => {
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`stuck in ${state()} waiting for ${what}`);
      // Compute (the card checks once the card is at the reader, the face engine) takes no kiosk time.
      const computing = state() === 'face' || (state() === 'reading_card' && w.reader.hasCard);
      if (sim && !computing) {
        await turn();
        sim.advance(20);
        // The face engine works in a worker: wait on the real clock instead of spinning, so the
        // wait does not take the CPU the engine needs on a loaded machine.
      } else await new Promise((r) => setTimeout(r, sim ? 1 : 5));
    }
  };
  const r = newResident(w, cast, sc.card);
  const nowS = Math.floor(w.clock.now() / 1000);
  let text = r.slip;
  if (sc.slip === 'forged') text = issueSlip({ issuerKey: w.tokens.rogueIssuer.keys.privateKey, issuerKid: w.tokens.rogueIssuer.kid, sub: r.sub, cardNumber: r.number, iat: nowS - 3600, exp: nowS + 86_400 });
  if (sc.slip === 'expired') text = issueSlip({ issuerKey: w.tokens.issuer.keys.privateKey, issuerKid: w.tokens.issuer.kid, sub: r.sub, cardNumber: r.number, iat: nowS - 90 * 86_400, exp: nowS - 86_400 });
  if (sc.slip === 'garbage') text = 'https://example.com/not-a-slip';
  if (sc.slip === 'used') {
    if (!memo.usedSlip) throw new Error('the "slip already used" scenario needs a collected slip first');
    text = memo.usedSlip;
  }
  w.live = sc.live === 'holder' ? cast.holder : sc.live === 'other' ? cast.other : sc.live === 'spoof' ? cast.spoof : null;
  if (sc.fault === 'jam') w.plant.setFault('jam');
  const why: string[] = [];
  const t0 = w.clock.monotonic();
  const wall0 = performance.now();
  await until(() => state() === 'idle', 'the start screen');
  if (!w.scanner.scan(text)) why.push('the scanner did not take the slip');
  await until(() => state() !== 'idle', 'the slip');
  if (sc.fault === 'link_lost_at_reader') {
    await until(() => state() !== 'checking_slip' && state() !== 'fetching', 'the card at the reader');
    w.dispenser.unplug();
  }
  let sawPresentWithoutMatch = false;
  await until(() => {
    const s = state();
    if ((s === 'presenting' || s === 'awaiting_take') && sc.live !== 'holder') sawPresentWithoutMatch = true;
    return ['awaiting_take', 'result', 'to_counter', 'out_of_service'].includes(s);
  }, 'a decision');
  if (state() === 'awaiting_take') {
    if (sc.takes) {
      if (sim) sim.advance(2000);
      w.plant.take();
      await until(() => state() !== 'awaiting_take', 'the take');
    } else await until(() => state() !== 'awaiting_take' && state() !== 'retaining', 'the take limit');
  }
  await until(() => ['result', 'to_counter', 'out_of_service'].includes(state()), 'the result');
  const kioskMs = w.clock.monotonic() - t0;
  const ctx = w.kiosk.actor.getSnapshot().context;
  const got = state() === 'out_of_service' ? 'OUT_OF_SERVICE' : (ctx.outcome ?? state());
  const reason = ctx.reason;
  if (sc.fault === 'link_lost_at_reader') {
    // the heartbeat cannot reach the controller: its watchdog retains the card; then the link comes back
    await until(() => w.plant.card.place === 'none', 'the controller watchdog');
    w.dispenser.plugIn();
    await until(() => w.dispenser.healthy && !w.plant.tripped, 'the link');
    w.kiosk.reset();
  }
  if (sc.fault === 'jam') w.plant.setFault('none');
  const card = w.plant.taken.includes(r.label) ? 'taken' : w.plant.bin.includes(r.label) ? 'bin' : w.plant.card.label === r.label ? 'inside' : 'stacker';
  if (got !== sc.expect.outcome) why.push(`outcome ${got}`);
  if (reason !== sc.expect.reason) why.push(`reason ${reason}`);
  if (card !== sc.expect.card) why.push(`card ${card}`);
  if (sawPresentWithoutMatch) why.push('the card was presented without a match');
  if (got === 'COLLECTED') memo.usedSlip = text;
  await until(() => state() === 'idle', 'the start screen again');
  return { name: sc.name, expected: `${sc.expect.outcome}${sc.expect.reason ? `/${sc.expect.reason}` : ''}`, got: `${got}${reason ? `/${reason}` : ''}`, card, kioskMs, wallMs: performance.now() - wall0, ok: why.length === 0, why };
}
