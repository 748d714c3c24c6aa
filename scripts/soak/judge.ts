/**
 * The soak's invariants, judged on the controller's side of the wire (issue 11.12): every
 * door release the simulated controller executed (its own write record, rtu-write-log.ts)
 * is checked against the ground truth of who stood where and what they were entitled to;
 * the doors' closing after each kill is timed on the plant; the journal is verified by
 * verify-journal's check; the central subscriber's batches are compared with the journal.
 */
import { loadavg } from 'node:os';
import type { RtuWrite } from '../../drivers/door/rtu-write-log.ts';
import { Journal, verifyJournal } from '../../kiosk/journal/index.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { pedestrianRoles } from '../../config/sections/door.ts';
import { GATE_ID, SITE, type SoakRig } from './rig.ts';
import type { Traffic } from './traffic.ts';

const ENTRY = pedestrianRoles.coils.entry_release;
const EXIT = pedestrianRoles.coils.exit_release;
const HEARTBEAT = pedestrianRoles.holdingRegisters.heartbeat;
/** Door travel of the simulated controller (door-io.md: about 0.8 s). */
export const TRAVEL_MS = 800;

export interface WrongOpening {
  door: 'entry' | 'exit';
  /** Seconds into the soak. */
  at_s: number;
  why: string;
  /** What else was going on: faults around it, the gate's mode, the plant's occupancy. */
  context: string;
}

export class Judge {
  readonly #rig: SoakRig;
  readonly #traffic: Traffic;
  readonly #t0 = performance.now();
  readonly wrong: WrongOpening[] = [];
  /** Exit releases while nobody stood in the mantrap (harmless; reported). */
  emptyExitReleases = 0;
  /** Releases the controller executed (rising edges), by door. */
  readonly releases = { entry: 0, exit: 0 };
  /** ms from each kill until both doors read closed on the plant, and until it tripped. */
  readonly closedAfterKill: number[] = [];
  readonly trippedAfterKill: number[] = [];
  /** Kills after which the doors were not closed within watchdog + travel (+ the plant's tick). */
  readonly lateClosings: number[] = [];
  /** Until this performance.now() a real fire alarm excuses open doors (a blip excuses nothing). */
  fireUntil = 0;
  /** Set by the run: what else was going on at a wrong opening (faults, the gate's mode). */
  context: () => string = () => '';
  /** Set by the run: told at once of a wrong opening, so a long run shows it when it happens. */
  onWrong: (w: WrongOpening) => void = () => {};
  fireBlips = 0;

  constructor(rig: SoakRig, traffic: Traffic) {
    this.#rig = rig;
    this.#traffic = traffic;
  }

  /** Gaps between heartbeat writes the controller executed (ms), outside kills and link faults. */
  readonly beatGaps: number[] = [];
  /** The gaps over door-io.md's 1,000 ms, each with what else was going on (faults, the gate's mode, load). */
  readonly longGaps: { at_s: number; ms: number; context: string }[] = [];
  #lastBeat: number | undefined;
  #beatsPaused = false;

  /** A kill or a link fault is starting: its silence is the fault's, not a heartbeat gap. */
  pauseBeats(): void {
    this.#beatsPaused = true;
    this.#lastBeat = undefined;
  }

  resumeBeats(): void {
    this.#beatsPaused = false;
    this.#lastBeat = undefined;
  }

  /** Called for every write the controller executed. */
  onWrite(w: RtuWrite): void {
    if (w.table === 'holding' && w.addr === HEARTBEAT) {
      if (!this.#beatsPaused && this.#lastBeat !== undefined) {
        const gap = w.at - this.#lastBeat;
        this.beatGaps.push(gap);
        if (gap > 1000) this.longGaps.push({ at_s: +((w.at - this.#t0) / 1000).toFixed(1), ms: Math.round(gap), context: `load ${loadavg()[0]!.toFixed(1)}; ${this.context()}` });
      }
      this.#lastBeat = w.at;
      return;
    }
    if (w.table !== 'coil') return;
    w.values.forEach((v, i) => {
      const addr = w.addr + i;
      if ((addr !== ENTRY && addr !== EXIT) || v !== 1 || w.before?.[i] === 1) return;
      const door = addr === ENTRY ? 'entry' : 'exit';
      this.releases[door]++;
      if (w.at < this.fireUntil || this.#rig.plant.role('fire_alarm') === true) return;
      const why = door === 'exit' ? this.#exitWrong() : this.#entryWrong();
      if (!why) return;
      const plant = this.#rig.plant;
      const where = `occupancy ${String(plant.role('mantrap_occupancy'))}, inside ${this.#traffic.inside().map((x) => x.kind).join('+') || 'nobody'}, approaching ${this.#traffic.approaching().map((x) => x.kind).join('+') || 'nobody'}`;
      const wrong: WrongOpening = { door, at_s: +((w.at - this.#t0) / 1000).toFixed(1), why, context: `${where}; ${this.context()}` };
      this.wrong.push(wrong);
      this.onWrong(wrong);
    });
  }

  /** An exit release is wrong when anyone not cleared (refused token, impostor, tailgater) stands inside. */
  #exitWrong(): string | undefined {
    const inside = this.#traffic.inside();
    // With nobody inside a release lets nobody out: the gate restoring its command after a
    // controller reboot (coils reset) while the traveller already walks off. Counted apart.
    if (inside.length === 0) {
      this.emptyExitReleases++;
      return undefined;
    }
    const bad = inside.filter((w) => !w.exitOk);
    return bad.length > 0 ? `exit released with ${bad.map((w) => w.kind).join(', ')} inside` : undefined;
  }

  /** An entry release is wrong when only refused travellers wait and nobody must be let out. */
  #entryWrong(): string | undefined {
    if (this.#traffic.inside().length > 0) return undefined;
    const waiting = this.#traffic.approaching();
    if (waiting.length === 0 || waiting.some((w) => w.entryOk)) return undefined;
    return `entry released for ${waiting.map((w) => w.kind).join(', ')}`;
  }

  /** After a kill: times the plant's trip and both doors closed; resolves when both happened (or the bound passed twice). */
  async afterKill(killedAt: number): Promise<void> {
    const plant = this.#rig.plant;
    const bound = this.#rig.watchdogMs + TRAVEL_MS;
    let closed: number | undefined;
    let tripped: number | undefined;
    while (performance.now() - killedAt < 2 * bound + 2000) {
      const now = performance.now() - killedAt;
      if (tripped === undefined && plant.tripped) tripped = now;
      const shut = plant.role('entry_closed') === true && plant.role('exit_closed') === true && !plant.readCoil(ENTRY) && !plant.readCoil(EXIT);
      if (shut && closed === undefined) closed = now;
      if (!shut) closed = undefined;
      if (tripped !== undefined && closed !== undefined) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const c = closed ?? Infinity;
    this.closedAfterKill.push(c);
    this.trippedAfterKill.push(tripped ?? Infinity);
    // The plant checks its watchdog every tick; allow one tick and our own sampling.
    if (c > bound + 500) this.lateClosings.push(Math.round(c));
  }

  /** The journal chain as verify-journal checks it. */
  journal(): { ok: boolean; events: number; firstBad: unknown } {
    const r = verifyJournal(this.#rig.journalPath);
    return { ok: r.ok, events: r.events, firstBad: r.firstBad };
  }

  /** Journal seqs the central subscriber never received, and how many it received twice or more. */
  central(): { journal: number; received: number; unique: number; duplicates: number; lost: number[]; lostList: string[] } {
    const j = Journal.open({ path: this.#rig.journalPath, gate: GATE_ID, clock: new SystemClock(), secretPath: this.#rig.secretPath });
    const events = j.readAfter(0, 10_000_000);
    j.close();
    const got = this.receivedSeqs();
    const unique = new Set(got);
    const lost = events.filter((e) => !unique.has(e.seq));
    // seq, type and time only: enough to find the fault around it, nothing of a traveller
    const lostList = lost.map((e) => `${e.seq} ${e.type} ${e.ts}`);
    return { journal: events.length, received: got.length, unique: unique.size, duplicates: got.length - unique.size, lost: lost.map((e) => e.seq), lostList };
  }

  /** Crossing outcomes as the central side saw them (crossing_finished events), first copy of each. */
  outcomes(): Record<string, number> {
    const batches = this.#rig.central.messages<{ seq: number; type: string; data: { outcome?: string; reason?: string } }[]>(`egate/v1/${SITE}/${GATE_ID}/events`);
    const seen = new Set<number>();
    const out: Record<string, number> = {};
    for (const e of batches.flat()) {
      if (seen.has(e.seq) || e.type !== 'crossing_finished') continue;
      seen.add(e.seq);
      const k = `${e.data.outcome}/${e.data.reason ?? ''}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }

  receivedSeqs(): number[] {
    const batches = this.#rig.central.messages<{ seq: number }[]>(`egate/v1/${SITE}/${GATE_ID}/events`);
    return batches.flatMap((b) => (Array.isArray(b) ? b.map((e) => e.seq) : []));
  }
}
