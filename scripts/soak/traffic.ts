/**
 * Soak traffic: travellers of every token kind the serial scanner takes and every behaviour
 * the ffmpeg camera can show, walking through the simulated controller's mantrap and
 * reacting only to what they see — the doors. Each person carries the ground truth the
 * judge needs: may the entry open for their token, may the exit open for them.
 */
import type { SimPerson } from '../../drivers/door/plant-people.ts';
import { presentationFor } from '../sim/tokens-for.ts';
import type { TokenKind } from '../sim/scenario.ts';
import { SUBJECTS, type SoakRig } from './rig.ts';

export type SoakBehaviour = 'normal' | 'tailgate' | 'linger' | 'abandon' | 'impostor';
export interface Kind {
  token: TokenKind;
  behaviour: SoakBehaviour;
  weight: number;
}

/** What travellers do, with weights: mostly genuine crossings, every refusal now and then. */
export const KINDS: Kind[] = [
  { token: 'valid', behaviour: 'normal', weight: 10 },
  { token: 'valid', behaviour: 'linger', weight: 2 },
  { token: 'valid', behaviour: 'tailgate', weight: 2 },
  { token: 'valid', behaviour: 'abandon', weight: 1 },
  { token: 'valid', behaviour: 'impostor', weight: 3 },
  { token: 'expired', behaviour: 'normal', weight: 1 },
  { token: 'forged', behaviour: 'normal', weight: 1 },
  { token: 'replayed', behaviour: 'normal', weight: 1 },
  { token: 'revoked', behaviour: 'normal', weight: 1 },
  { token: 'not-enrolled', behaviour: 'normal', weight: 1 },
  { token: 'not-eligible', behaviour: 'normal', weight: 1 },
  { token: 'garbage', behaviour: 'normal', weight: 1 },
];

/** A person in the simulated lane and what the gate may do for them. */
export interface Walker {
  person: SimPerson;
  kind: string;
  entryOk: boolean;
  exitOk: boolean;
}

/** How long after stepping in a traveller takes a still-released entry as held open for them. */
const ENTRY_HELD_MS = 10_000;

function doorState(p: SoakRig['plant'], door: 'entry' | 'exit'): string {
  return `${p.role(`${door}_closed`) ? 'closed' : 'open'}${p.role(`${door}_release`) ? ' released' : ''}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Traffic {
  readonly #rig: SoakRig;
  readonly #random: () => number;
  readonly walkers: Walker[] = [];
  #n = 0;
  #lastGoodQr: string | undefined;
  readonly counts: Record<string, number> = {};
  /** Persons who never got out of the mantrap within the bound (a lane that kept someone in). */
  stuck = 0;
  /** Each stuck traveller with the doors and the gate's mode at the deadline (for the report). */
  readonly stuckList: string[] = [];

  constructor(rig: SoakRig, random: () => number) {
    this.#rig = rig;
    this.#random = random;
  }

  pick(): Kind {
    const total = KINDS.reduce((a, k) => a + k.weight, 0);
    let r = this.#random() * total;
    for (const k of KINDS) if ((r -= k.weight) < 0) return k;
    return KINDS[0]!;
  }

  /** True when nobody is in or around the lane and both doors are closed. */
  laneClear(): boolean {
    const p = this.#rig.plant;
    return this.walkers.every((w) => w.person.place === 'away' || w.person.place === 'gone') && p.role('entry_closed') === true && p.role('exit_closed') === true;
  }

  /** One traveller (and a tailgater) through the lane; resolves when they are gone again. */
  async cross(k: Kind): Promise<void> {
    const label = `${k.token}/${k.behaviour}`;
    this.counts[label] = (this.counts[label] ?? 0) + 1;
    const n = ++this.#n;
    const sub = k.behaviour === 'impostor' ? SUBJECTS.impostor : k.token === 'not-enrolled' ? SUBJECTS.notEnrolled : k.token === 'revoked' ? SUBJECTS.revoked : SUBJECTS.genuine;
    // A `replayed` traveller with no earlier good code to replay shows a fresh one, which the gate
    // rightly admits: judge it as valid (the simulated world pre-uses it instead; the soak's gate
    // runs in another process). Found as two "wrong openings" right after start-up.
    const goodToken = k.token === 'valid' || (k.token === 'replayed' && this.#lastGoodQr === undefined);
    const me: Walker = { person: this.#rig.plant.traveller(`t${n}-${label}`), kind: label, entryOk: goodToken, exitOk: goodToken && k.behaviour !== 'impostor' };
    const tail: Walker | undefined = k.behaviour === 'tailgate' ? { person: this.#rig.plant.traveller(`t${n}-tailgater`), kind: 'tailgater', entryOk: false, exitOk: false } : undefined;
    this.walkers.push(me, ...(tail ? [tail] : []));
    me.person.arrive();
    tail?.person.arrive();
    await sleep(150);
    const pres = presentationFor(this.#rig.tokens, k.token, sub, Date.now(), k.token === 'replayed' ? this.#lastGoodQr : undefined);
    this.#rig.scan(pres.input as string);
    if (goodToken) this.#lastGoodQr = pres.input as string;

    if (k.behaviour === 'abandon') {
      await sleep(1500);
      await me.person.leave();
      return;
    }
    // A tailgater slips in right behind: both head for the mantrap at once.
    const [entered] = await Promise.all([this.#within(me.person.enterMantrap(), 10_000), tail ? this.#within(tail.person.enterMantrap(), 10_000) : false]);
    if (!entered) {
      // Refused at the entry (or the lane is down): walk away.
      await Promise.all([me.person.leave(), tail?.person.leave()]);
      return;
    }
    await Promise.all([this.#getOut(me, k.behaviour === 'linger'), tail ? this.#getOut(tail, false) : undefined]);
  }

  /** Inside the mantrap: out through whichever door opens (the exit when cleared, the entry when refused). */
  async #getOut(w: Walker, linger: boolean): Promise<void> {
    const p = this.#rig.plant;
    const inside = Date.now();
    const deadline = inside + 120_000;
    // The entry door is still closing behind them: a refusal is the entry opening again. An
    // entry the gate keeps released long after they stepped in is held open for them (a fault
    // cut the crossing short and the lane lets its occupant out): they walk back out. Without
    // that, a traveller waited for a door the gate rightly held open (CI, seed 601793656).
    const heldOpenForMe = (): boolean => p.role('entry_release') === true && Date.now() - inside > ENTRY_HELD_MS;
    while (w.person.place === 'mantrap' && p.role('entry_closed') === false && p.role('exit_closed') === true && !heldOpenForMe() && Date.now() < deadline) await sleep(50);
    while (w.person.place === 'mantrap') {
      if (Date.now() > deadline) {
        this.stuck++;
        this.stuckList.push(`${w.kind}: entry ${doorState(p, 'entry')}, exit ${doorState(p, 'exit')}, gate ${this.#rig.mode() ?? 'unknown'}`);
        return;
      }
      if (p.role('exit_closed') === false) {
        if (linger) w.person.linger(true);
        await this.#within(w.person.exit(), 5000);
        if (linger) {
          await sleep(5500);
          w.person.linger(false);
        }
        break;
      }
      if (p.role('entry_closed') === false) {
        await this.#within(w.person.backOut(), 5000);
        break;
      }
      await sleep(50);
    }
    if (w.person.place !== 'mantrap') await this.#within(w.person.leave(), 10_000);
  }

  async #within(p: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([p.then(() => true), new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms)))]);
    clearTimeout(timer);
    return r;
  }

  /**
   * A technician walks everyone left inside the lane (a traveller given up on after the
   * 120 s deadline, one a fault stranded) back out through the entry; counted apart.
   */
  escortOut(): number {
    const left = this.inside();
    for (const w of left) void w.person.backOut();
    this.escorted += left.length;
    return left.length;
  }
  escorted = 0;

  /** Who stands in the mantrap now (ground truth from the plant). */
  inside(): Walker[] {
    return this.walkers.filter((w) => w.person.place === 'mantrap' || w.person.place === 'entry_doorway' || w.person.place === 'exit_doorway');
  }

  /** Who stands at the entry waiting for it. */
  approaching(): Walker[] {
    return this.walkers.filter((w) => w.person.place === 'approach');
  }
}
