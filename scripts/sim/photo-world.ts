import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoKioskSection, type PhotoKioskConfig } from '../../config/sections/photo-kiosk.ts';
import { portraitSection } from '../../config/sections/portrait.ts';
import type { Clock } from '../../core/clock.ts';
import { DocumentScannerTwin } from '../../drivers/document-scanner/twin.ts';
import { SimulatedAcquirer } from '../../drivers/payment/acquirer-sim.ts';
import { SimulatedGateway } from '../../drivers/payment/gateway-twin.ts';
import { SimulatedOctopusReader } from '../../drivers/payment/octopus-twin.ts';
import { SimulatedPrinter } from '../../drivers/printer/twin.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { PaymentDesk } from '../../kiosk/payment/payment-desk.ts';
import { PaymentStore } from '../../kiosk/payment/payment-store.ts';
import { verifyLiveFrames } from '../../kiosk/photo/live-check.ts';
import { photoPayments, settleOctopusAfterRestart } from '../../kiosk/photo/photo-payment.ts';
import { PhotoKiosk } from '../../kiosk/photo/photo-kiosk.ts';
import { checkPortrait } from '../../kiosk/portrait/check.ts';

/**
 * The photo kiosk in the simulated world: the real binding, statechart, crop, compliance
 * check, face engine, payment desk, payment store (SQLite) and journal, with the twins of the
 * scanner, acquirer (FPS), Octopus reader and receipt printer. The camera twin is a still:
 * whatever the simulation puts in front of it (so one frame per attempt says all a still can).
 */
export class PhotoWorld {
  readonly dir: string;
  readonly config: PhotoKioskConfig;
  readonly scanner: DocumentScannerTwin;
  readonly acquirer: SimulatedAcquirer;
  readonly reader: SimulatedOctopusReader;
  readonly printer: SimulatedPrinter;
  readonly journal: Journal;
  gateway!: SimulatedGateway;
  store!: PaymentStore;
  desk!: PaymentDesk;
  kiosk!: PhotoKiosk;
  /** What the camera sees (an encoded photo of the person in front of the kiosk). */
  live: Uint8Array | null = null;

  private constructor(readonly clock: Clock, private readonly engine: FaceEngine, overrides: Record<string, unknown>) {
    this.dir = mkdtempSync(join(tmpdir(), 'egate-photo-'));
    this.config = photoKioskSection.parse({ ...overrides, timings: { framesPerAttempt: 1, ...(overrides.timings as object | undefined) } });
    this.scanner = new DocumentScannerTwin(clock);
    this.acquirer = new SimulatedAcquirer(clock);
    this.reader = new SimulatedOctopusReader({ clock });
    this.printer = new SimulatedPrinter({ statusTimeoutMs: 2000 }, { clock });
    this.journal = Journal.open({ path: join(this.dir, 'journal.sqlite'), gate: 'PHO-SIM-01', clock, secretPath: join(this.dir, 'gate-secret') });
  }

  static async open(clock: Clock, engine: FaceEngine, overrides: Record<string, unknown> = {}): Promise<PhotoWorld> {
    const w = new PhotoWorld(clock, engine, overrides);
    await w.printer.open();
    await w.reader.start();
    await w.#boot();
    return w;
  }

  /** The kiosk's process parts (what a restart makes anew): store, gateway, desk, binding. */
  async #boot(): Promise<void> {
    const { clock, config } = this;
    this.store = new PaymentStore(join(this.dir, 'payments.sqlite'));
    this.gateway = new SimulatedGateway(this.acquirer, { clock, noticeDelayMs: 200 });
    const fps = config.payment.fps;
    this.desk = new PaymentDesk({
      store: this.store, gateway: this.gateway, journal: this.journal, clock,
      merchant: { proxy: { kind: fps.proxyKind, value: fps.proxy }, mcc: fps.mcc, merchantName: fps.merchantName, merchantCity: fps.merchantCity },
      budgetMs: config.payment.budgetMs, retryMs: config.payment.retryMs,
    });
    await this.desk.start();
    const octopus = { store: this.store, journal: this.journal, clock, reader: this.reader, budgetMs: config.payment.budgetMs };
    // a restarted kiosk has no applicant: every unfinished payment is settled now (docs/decisions.md)
    await settleOctopusAfterRestart(octopus);
    void this.desk.recover(0);
    // Fixture photos are 640-px copies (≈ 66 px between the eyes after the scan): resolution held to 40, as in test/portrait.
    const portrait = portraitSection.parse({ minScores: { resolution: 40 } });
    this.kiosk = new PhotoKiosk(
      {
        scanner: this.scanner,
        scan: { dpi: config.scanner.dpi, mode: 'color', area: config.scanner.area },
        checkPortrait: (jpeg) => checkPortrait(jpeg, this.engine, portrait),
        verifyLive: (reference) =>
          verifyLiveFrames(this.engine, async () => {
            if (!this.live) throw new Error('nobody in front of the camera');
            return this.live;
          }, reference, config.timings.framesPerAttempt, config.operatingPoint),
        payments: photoPayments(this.desk, octopus),
        methods: config.payment.methods,
        printer: this.printer,
        journal: (data) => this.journal.append('photo_check', data as never),
        clock,
        kiosk: 'PHO-SIM-01',
        feeCents: config.feeCents,
      },
      config.timings,
    );
  }

  /** The kiosk process dies: no goodbye to anyone (the acquirer is not told, nothing is cancelled). */
  async kill(): Promise<void> {
    this.kiosk.stop();
    await this.desk.stop();
    this.store.close();
  }

  /** The killed kiosk starts again on the same disk (payments store and journal). */
  async start(): Promise<void> {
    await this.#boot();
  }

  async close(): Promise<void> {
    this.kiosk.stop();
    await this.desk.stop();
    this.store.close();
    await this.reader.stop();
    await this.printer.close();
    await this.scanner.close();
    this.journal.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
