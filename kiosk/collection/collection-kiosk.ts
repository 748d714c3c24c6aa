import { createActor, fromPromise, type Actor } from 'xstate';
import type { CardRead, CardReader } from '../../drivers/card/interface.ts';
import type { CardDispenser, DispenserStatus } from '../../drivers/dispenser/interface.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { KioskScreen, KioskSource } from '../display/kiosk-types.ts';
import type { SmartIdResult } from '../card/smart-id-check.ts';
import { collectionKioskScreen } from './collection-screens.ts';
import { collectionMachine, type CollectionFact, type CollectionTimings, type FaceCheck, type SlipCheck, type StepResult } from './machine.ts';
import { collectionOutputs, collectionScreen } from './outputs.ts';
import type { SlipResult } from './slip.ts';

/** One live attempt's decision as the face engine gives it (with its numbers, for the journal). */
export interface LiveDecision {
  decision: 'match' | 'no_match' | 'spoof' | 'poor_quality' | 'no_face';
  score?: number | null;
  liveness?: number | null;
}

/** What the collection kiosk does in the world; each is a real part on the kiosk (scanner, dispenser, its card reader, face engine, journal). */
export interface CollectionPorts {
  verifySlip(text: string): SlipResult;
  /** True when the slip (by its hash) was already used to collect a card. */
  slipUsed(slip: string): boolean;
  /** Records that the slip's card left with the resident: the slip is spent. */
  slipCollected(slip: string): void;
  /** The stacker slot loaded with card `number` (the loading manifest), if any. */
  slotOf(cardNumber: string): number | undefined;
  dispenser: CardDispenser;
  /** The card reader inside the dispenser, at its reading position. */
  reader: CardReader;
  /** smart-id.md checks 1-4 (chip authentication, photo hash) on what the reader read. */
  checkCard(read: CardRead): Promise<SmartIdResult>;
  /** The card photo's template (only after its hash was verified). */
  faceReference(photo: Uint8Array): Promise<Float32Array>;
  /** One live attempt (capture, PAD, quality, 1:1 against the card photo at the chip operating point). */
  verifyLive(reference: Float32Array): Promise<LiveDecision>;
  /** Journal (and so central sync): the slip's hash, pseudonyms and reason codes only. */
  journal(data: { step: string } & Record<string, string | number | boolean | null>): void;
  pseudonym(value: string): string;
  clock: Clock;
  kiosk: string;
}

export interface CollectionKioskTimings extends CollectionTimings {
  /** How long the internal reader may take to deliver the card after the fetch. */
  cardReadMs: number;
  /** Live attempts before the face step gives up (FACE_TIMEOUT). */
  faceAttempts: number;
  /** The face step's limit on the kiosk's clock. */
  faceMs: number;
}

/** The resident's card and slip, in memory for one collection only. */
interface Visit {
  sub: string;
  cardNumber: string;
  reference?: Float32Array;
}

const refused = (reason: string): StepResult => ({ ok: false, reason });

/**
 * The collection statechart bound to the kiosk's devices. The chart alone decides: the
 * dispenser is told to present only from its `presenting` state, which only a face match
 * enters; every other end retains. A card found at the reader or in the mouth when the
 * kiosk starts (a killed or hung process) is retained before anything else, and journalled.
 */
export class CollectionKiosk implements KioskSource {
  readonly actor: Actor<typeof collectionMachine>;
  readonly ready: Promise<void>;
  #visit: Visit | undefined;
  #read: CardRead | Error | undefined;
  #readWaiter: (() => void) | undefined;
  #takenEarly = false;
  #lastLive: LiveDecision | undefined;
  readonly #off: (() => void)[] = [];
  readonly #fns = new Set<(s: KioskScreen) => void>();

  constructor(
    private readonly ports: CollectionPorts,
    private readonly timings: CollectionKioskTimings,
  ) {
    const clock = ports.clock;
    const p = ports;
    const machine = collectionMachine.provide({
      actors: {
        checkSlip: fromP<SlipCheck, { text: string }>(async ({ text }) => this.#checkSlip(text)),
        fetchCard: fromP<void, { slot: number }>(async ({ slot }) => {
          this.#read = undefined;
          await p.dispenser.fetch(slot);
        }),
        checkCard: fromP<StepResult, void>(async () => this.#checkCard()),
        compareFace: fromP<FaceCheck, void>(async () => this.#compareFace()),
        presentCard: fromP<void, void>(async () => p.dispenser.present()),
        retainCard: fromP<void, void>(async () => {
          // A fetch that failed before the card left the stacker leaves nothing to retain.
          const s = p.dispenser.status();
          if (s && !s.cardAtReader && !s.cardAtMouth && !s.busy) return;
          await p.dispenser.retain();
        }),
      },
    });
    this.actor = createActor(machine, {
      input: { timings },
      clock: { setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms), clearTimeout: (h: unknown) => clock.clearTimeout(h as TimerHandle) },
    });
    this.actor.on('collection_step', (f) => this.#journal(f));
    this.#off.push(
      p.reader.on('card', (r) => this.#delivered(r)),
      p.reader.on('error', (e) => this.#delivered(e)),
      p.dispenser.on('taken', () => {
        const s = this.actor.getSnapshot();
        if (s.matches('awaiting_take')) this.actor.send({ type: 'CARD_TAKEN' });
        else if (s.matches('presenting')) this.#takenEarly = true;
      }),
    );
    let lastState = '';
    this.actor.subscribe((snap) => {
      const state = String(snap.value);
      if (state === lastState) return;
      lastState = state;
      if (state === 'idle') this.#forget();
      if (state === 'awaiting_take' && this.#takenEarly) this.actor.send({ type: 'CARD_TAKEN' });
      const o = collectionOutputs(snap);
      void p.dispenser.setSigns({ mouthLight: o.mouth_light, outOfService: o.out_of_service_sign }).catch(() => undefined);
      const screen = this.screen();
      for (const fn of this.#fns) fn(screen);
    });
    this.ready = this.#recover().then(() => void this.actor.start());
  }

  screen(): KioskScreen {
    return collectionKioskScreen(this.actor.getSnapshot().status === 'active' ? collectionScreen(this.actor.getSnapshot()) : 'please_wait');
  }

  on(_e: 'screen', fn: (s: KioskScreen) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  /** No buttons on this kiosk: the resident scans, looks and takes. */
  act(_action: string): void {}

  /** Inactivity cannot abandon a card: a reset only clears an out-of-service stop (technician). */
  reset(): void {
    this.actor.send({ type: 'RESET' });
  }

  /** The scanner read a QR code. Ignored unless the kiosk waits for a slip. */
  slipScanned(text: string): void {
    if (this.actor.getSnapshot().matches('idle')) this.actor.send({ type: 'SLIP_SCANNED', text });
  }

  stop(): void {
    for (const off of this.#off.splice(0)) off();
    this.actor.stop();
  }

  /** Before the first resident: a card left at the reader or in the mouth by a dead process goes to the bin. */
  async #recover(): Promise<void> {
    const status = await this.#firstStatus();
    const tripped = status ? (status.faultBits & 8) !== 0 : false;
    this.ports.journal({ step: 'kiosk_started', kiosk: this.ports.kiosk, bin_count: status?.binCount ?? null, watchdog_tripped: tripped, card_at_reader: status?.cardAtReader ?? null, card_at_mouth: status?.cardAtMouth ?? null });
    if (!status || (!status.cardAtReader && !status.cardAtMouth)) return;
    const where = status.cardAtMouth ? 'mouth' : 'reader';
    try {
      await this.ports.dispenser.retain();
      this.ports.journal({ step: 'retained_at_start', kiosk: this.ports.kiosk, place: where });
    } catch (err) {
      this.ports.journal({ step: 'retain_failed_at_start', kiosk: this.ports.kiosk, place: where, reason: (err as { code?: string }).code ?? 'DEVICE_FAILED' });
    }
  }

  #firstStatus(): Promise<DispenserStatus | undefined> {
    const now = this.ports.dispenser.status();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = this.ports.clock.setTimeout(() => done(undefined), 5000);
      const off = this.ports.dispenser.on('change', (s) => done(s));
      const done = (s: DispenserStatus | undefined): void => {
        off();
        this.ports.clock.clearTimeout(timer);
        resolve(s);
      };
    });
  }

  #checkSlip(text: string): SlipCheck {
    const r = this.ports.verifySlip(text);
    if (!r.ok) return { ok: false, reason: r.reason, slip: r.slip };
    if (this.ports.slipUsed(r.ctiHash)) return { ok: false, reason: 'SLIP_USED', slip: r.ctiHash };
    const slot = this.ports.slotOf(r.cardNumber);
    if (slot === undefined) return { ok: false, reason: 'CARD_NOT_LOADED', slip: r.ctiHash };
    this.#visit = { sub: r.sub, cardNumber: r.cardNumber };
    return { ok: true, slot, slip: r.ctiHash };
  }

  async #checkCard(): Promise<StepResult> {
    const visit = this.#visit;
    if (!visit) return refused('NO_SLIP');
    const read = await this.#awaitRead();
    if (!read) return refused('CARD_UNREADABLE');
    if (read instanceof Error) return refused((read as { code?: string }).code === 'CARD_UNREADABLE' ? 'CARD_UNREADABLE' : 'CARD_READ_FAILED');
    const r = await this.ports.checkCard(read);
    if (!r.ok) return refused(r.reason);
    // The card in the slot must be the slip's card, personalised for the slip's resident.
    if (r.card.number !== visit.cardNumber || r.token.sub !== visit.sub) return refused('WRONG_CARD');
    try {
      visit.reference = await this.ports.faceReference(r.photo);
    } catch {
      return refused('CARD_PHOTO_UNUSABLE');
    }
    return { ok: true };
  }

  async #compareFace(): Promise<FaceCheck> {
    const reference = this.#visit?.reference;
    if (!reference) return { decision: 'timeout' };
    const clock = this.ports.clock;
    const deadline = clock.monotonic() + this.timings.faceMs;
    for (let i = 0; i < this.timings.faceAttempts && clock.monotonic() < deadline; i++) {
      const live = await this.ports.verifyLive(reference);
      this.#lastLive = live;
      if (live.decision === 'match' || live.decision === 'spoof') return { decision: live.decision };
      if (live.decision === 'no_match' && i === this.timings.faceAttempts - 1) return { decision: 'no_match' };
    }
    return { decision: this.#lastLive?.decision === 'no_match' ? 'no_match' : 'timeout' };
  }

  #awaitRead(): Promise<CardRead | Error | undefined> {
    if (this.#read) return Promise.resolve(this.#read);
    return new Promise((resolve) => {
      const timer = this.ports.clock.setTimeout(() => finish(), this.timings.cardReadMs);
      const finish = (): void => {
        this.#readWaiter = undefined;
        this.ports.clock.clearTimeout(timer);
        resolve(this.#read);
      };
      this.#readWaiter = finish;
    });
  }

  #delivered(r: CardRead | Error): void {
    this.#read = r;
    this.#readWaiter?.();
  }

  #journal(f: CollectionFact): void {
    if (f.step === 'card_taken' && f.slip) this.ports.slipCollected(f.slip);
    const v = this.#visit;
    const data: { step: string } & Record<string, string | number | boolean | null> = { step: f.step, kiosk: this.ports.kiosk, slip: f.slip, reason: f.reason };
    if (v && f.step !== 'slip_refused') {
      data.subject = this.ports.pseudonym(v.sub);
      data.card = this.ports.pseudonym(`card:${v.cardNumber}`);
    }
    if ((f.step === 'face_matched' || f.step === 'face_refused') && this.#lastLive) {
      data.decision = this.#lastLive.decision;
      data.score = this.#lastLive.score ?? null;
      data.liveness = this.#lastLive.liveness ?? null;
    }
    this.ports.journal(data);
  }

  #forget(): void {
    this.#visit = undefined;
    this.#read = undefined;
    this.#takenEarly = false;
    this.#lastLive = undefined;
  }
}

/** A step actor from an async function (the chart's placeholders are replaced by these). */
function fromP<O, I>(fn: (input: I) => Promise<O>) {
  return fromPromise<O, I>(({ input }) => fn(input));
}
