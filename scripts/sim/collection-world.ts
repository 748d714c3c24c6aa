import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispenserSection } from '../../config/sections/dispenser.ts';
import { SimulatedClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { silentLogger } from '../../core/log.ts';
import { SimulatedCardReader } from '../../drivers/card/twin.ts';
import { DispenserPlant } from '../../drivers/dispenser/plant.ts';
import { DispenserTwin } from '../../drivers/dispenser/twin.ts';
import { Deduper } from '../../drivers/scanner/dedupe.ts';
import { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { checkSmartIdCard } from '../../kiosk/card/smart-id-check.ts';
import type { TestCard } from '../../kiosk/card/test-cards.ts';
import { CollectionKiosk, type CollectionKioskTimings } from '../../kiosk/collection/collection-kiosk.ts';
import { verifySlip } from '../../kiosk/collection/slip.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { FleetKeys } from '../../kiosk/tokens/fleet-keys.ts';
import { ReplayCache } from '../../kiosk/tokens/replay-cache.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import type { TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';
import { TokenVerifier } from '../../kiosk/tokens/verifier.ts';

export const COLLECTION_KIOSK_ID = 'COL-SIM-01';
export const COLLECTION_TIMINGS: CollectionKioskTimings = { takeLimitMs: 30_000, resultDisplayMs: 5_000, cardReadMs: 5_000, faceAttempts: 3, faceMs: 30_000 };

/**
 * The collection kiosk in the simulated world: the real binding, statechart, slip and card
 * checks, token verifier, face engine and journal, with the twins of the dispenser (its plant
 * on the Modbus register map), the card reader inside it, the slip scanner and the camera.
 * The plant is the controller, outside the kiosk process: kill() ends the process (no retain,
 * no heartbeat) while the plant runs on, and start() boots a new process on the same disk.
 */
export class CollectionWorld {
  readonly dir: string;
  readonly plant: DispenserPlant;
  readonly reader: SimulatedCardReader;
  readonly scanner: SimulatedScanner;
  readonly journal: Journal;
  readonly verifier: TokenVerifier;
  readonly #replay: ReplayCache;
  /** Card label → the card's chip image (what the reader finds when the card is at it). */
  readonly cards = new Map<string, TestCard>();
  /** Card number → stacker slot: the loading manifest. */
  readonly manifest = new Map<string, number>();
  /** Slips already collected (by slip hash), kept across restarts like the journal. */
  readonly usedSlips = new Set<string>();
  dispenser!: DispenserTwin;
  kiosk!: CollectionKiosk;
  /** What the camera sees. */
  live: Uint8Array | null = null;
  /** False once the kiosk process is dead or hung: the dispenser's heartbeat stops. */
  alive = false;
  #physics: TimerHandle | undefined;
  #offScanner: (() => void) | undefined;

  private constructor(readonly clock: Clock, readonly tokens: TokenWorld, private readonly engine: FaceEngine) {
    this.dir = mkdtempSync(join(tmpdir(), 'egate-collection-'));
    const log = silentLogger();
    const config = dispenserSection.parse({});
    this.plant = new DispenserPlant({ clock, watchdogMs: config.watchdogMs });
    this.plant.start();
    this.reader = new SimulatedCardReader({ name: 'dispenser-reader' }, { clock, log, dedupe: new Deduper(1, clock), maxLength: 4096 });
    this.scanner = new SimulatedScanner({ name: 'slip-scanner' }, { clock, log, dedupe: new Deduper(1, clock), maxLength: 2048 });
    this.journal = Journal.open({ path: join(this.dir, 'journal.sqlite'), gate: COLLECTION_KIOSK_ID, clock, secretPath: join(this.dir, 'gate-secret') });
    this.#replay = new ReplayCache(join(this.dir, 'replay.sqlite'));
    this.verifier = new TokenVerifier({
      clock, fleetKeys: new FleetKeys(), trustList: new TrustList(tokens.trustList), revocations: new RevocationList(tokens.revocations),
      replayCache: this.#replay, service: 'ECH', hasReference: () => true,
    });
  }

  static async open(clock: Clock, tokens: TokenWorld, engine: FaceEngine): Promise<CollectionWorld> {
    const w = new CollectionWorld(clock, tokens, engine);
    await w.reader.start();
    await w.scanner.start();
    // The reader sees a card exactly while the plant holds it at the reading position.
    const physics = (): void => {
      const c = w.plant.card;
      if (c.place === 'reader' && !w.reader.hasCard) {
        const card = w.cards.get(c.label);
        if (card) w.reader.presentCard({ files: new Map([[0x0101, Buffer.from(card.files.cred)], [0x0102, Buffer.from(card.files.photo)], [0x0103, Buffer.from(card.files.card)]]), chipKeyPem: card.chipKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
      } else if (c.place !== 'reader' && w.reader.hasCard) w.reader.remove();
    };
    w.#physics = clock.setInterval(physics, 20);
    await w.start();
    return w;
  }

  /** A technician loads a personalised card into `slot` and records it in the manifest under `number`. */
  load(slot: number, number: string, label: string, card: TestCard): void {
    this.cards.set(label, card);
    this.plant.load(slot, label);
    this.manifest.set(number, slot);
  }

  /** The kiosk process starts: driver, binding (its start-up retains any card left in transit). */
  async start(): Promise<void> {
    const { clock } = this;
    this.alive = true;
    this.dispenser = new DispenserTwin(this.plant, dispenserSection.parse({}), { isControlLoopAlive: () => this.alive });
    await this.#settle(this.dispenser.start());
    this.kiosk = new CollectionKiosk(
      {
        verifySlip: (text) => verifySlip(text, { trustList: new TrustList(this.tokens.trustList), nowMs: clock.now() }),
        slipUsed: (slip) => this.usedSlips.has(slip),
        slipCollected: (slip) => void this.usedSlips.add(slip),
        slotOf: (n) => this.manifest.get(n),
        dispenser: this.dispenser,
        reader: this.reader,
        checkCard: (read) => checkSmartIdCard({ files: read.smartId?.files, authenticate: (c) => read.smartId!.authenticate(c), gateId: COLLECTION_KIOSK_ID, verifier: this.verifier }),
        faceReference: async (photo) => (await this.engine.extractReference(photo)).template,
        verifyLive: async (template) => {
          if (!this.live) return { decision: 'no_face' };
          const v = await this.engine.verify({ template, source: 'chip' }, this.live);
          return { decision: v.decision, score: v.score ?? null, liveness: v.liveness ?? null };
        },
        journal: (data) => void this.journal.append('collection_step', data),
        pseudonym: (s) => this.journal.pseudonym(s),
        clock,
        kiosk: COLLECTION_KIOSK_ID,
      },
      COLLECTION_TIMINGS,
    );
    this.#offScanner = this.scanner.on('read', (r) => this.kiosk.slipScanned(r.text));
    await this.#settle(this.kiosk.ready);
  }

  /** Waits for `p`, moving a simulated clock meanwhile (the controller's answers come on its clock). */
  async #settle<T>(p: Promise<T>): Promise<T> {
    const sim = this.clock instanceof SimulatedClock ? this.clock : null;
    if (!sim) return p;
    let done = false;
    const r = p.finally(() => (done = true));
    while (!done) {
      await new Promise((res) => setImmediate(res));
      if (!done) sim.advance(20);
    }
    return r;
  }

  /** kill -9: the process is gone mid-step; nobody retains, the heartbeat stops, the controller runs on. */
  async kill(): Promise<void> {
    this.alive = false;
    this.#offScanner?.();
    this.kiosk.stop();
    // A request already on the wire answers on the plant's clock: without moving a simulated
    // clock, stop() (which lets it finish) would wait forever — the cause of the 480 s timeouts.
    await this.#settle(this.dispenser.stop());
  }

  async close(): Promise<void> {
    this.clock.clearInterval(this.#physics);
    await this.kill();
    await this.reader.stop();
    await this.scanner.stop();
    this.plant.stop();
    this.journal.close();
    this.#replay.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
