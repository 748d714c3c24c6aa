import { randomBytes } from 'node:crypto';
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { DocumentScanner, ScanRequest } from '../../drivers/document-scanner/interface.ts';
import type { ReceiptPrinter } from '../../drivers/printer/interface.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { KioskAction, KioskScreen, KioskSource, Tri } from '../display/kiosk-types.ts';
import { errorCode } from '../errors.ts';
import type { VerifyResult } from '../biometrics/index.ts';
import { fpsQrSvgSync } from '../payment/fps-qr-render.ts';
import { formatHkd, type Cents } from '../payment/money.ts';
import { journalView, type PortraitResult } from '../portrait/check.ts';
import type { Wording } from '../portrait/rules.ts';
import { cropPrint } from './crop.ts';
import { photoMachine, type PaymentEnd, type PhotoTimings } from './machine.ts';
import { photoOutputs } from './outputs.ts';
import type { PhotoPayments } from './photo-payment.ts';
import { photoReceiptJob } from './receipt.ts';

/** One live attempt as the kiosk journals it: the engine's decision and numbers, never the frame or template. */
export type LiveResult = Pick<VerifyResult, 'decision' | 'score' | 'liveness' | 'issues'>;

/** The photo kiosk's parts (the host wires the real ones, the simulation their twins). */
export interface PhotoPorts {
  scanner: DocumentScanner;
  scan: ScanRequest;
  /** The compliance check (kiosk/portrait) of the cut-out print; its template is the 1:1's reference. */
  checkPortrait(jpeg: Uint8Array): Promise<PortraitResult>;
  /** One live capture attempt against the print's template: PAD, quality and the 1:1 (best of the attempt's frames). */
  verifyLive(reference: Float32Array): Promise<LiveResult>;
  payments: PhotoPayments;
  methods: readonly ('fps' | 'octopus')[];
  printer: ReceiptPrinter;
  /** The journal (synced like every event): scores, rule results and states; never an image or template. */
  journal(data: Record<string, unknown>): void;
  clock: Clock;
  kiosk: string;
  feeCents: Cents;
}

/** The applicant's session, in memory only and forgotten on every return to the start. */
interface Applicant {
  application: string;
  print: Uint8Array | null;
  template: Float32Array | null;
  result: PortraitResult | null;
  qr: string | null;
  /** The code drawn once per applicant (the screen is redrawn on every change). */
  qrSvg: string | null;
  paymentRef: string | null;
}

const tri = (x: Wording): Tri => ({ 'zh-Hant': x.zhHant, en: x.en, 'zh-Hans': x.zhHans });
const A = (id: string, en: string, zhHant: string, zhHans: string, primary = false): KioskAction => ({ id, label: { 'zh-Hant': zhHant, en, 'zh-Hans': zhHans }, ...(primary ? { primary } : {}) });
const ACTIONS = {
  start: A('start', 'Start', '開始', '开始', true),
  scan: A('scan', 'Scan', '掃描', '扫描', true),
  cancel: A('cancel', 'Cancel', '取消', '取消'),
  fps: A('pay-fps', 'Pay by FPS', '轉數快付款', '转数快付款', true),
  octopus: A('pay-octopus', 'Pay by Octopus', '八達通付款', '八达通付款', true),
  done: A('done', 'Finish', '完成', '完成', true),
  counter: A('counter', 'Photo at the counter', '到櫃檯拍攝相片', '到柜台拍摄相片', true),
};
const REFUSED_PHOTO = new Set(['PHOTO_NOT_COMPLIANT', 'PHOTO_NOT_APPLICANT', 'LIVENESS_FAILED', 'NO_LIVE_FACE', 'SCAN_FAILED']);
const PAYMENT_END: Record<string, PaymentEnd> = { paid: 'paid', declined: 'declined', timed_out: 'timed_out', cancelled: 'cancelled', refund_due: 'refund_due' };

/** A new application reference (random: it says nothing about the applicant). */
export const newApplication = (): string => `PA${randomBytes(8).toString('hex').toUpperCase().slice(0, 12)}`;

/**
 * The photo statechart bound to the kiosk's parts: each state's task (photoOutputs) runs on
 * entering it and answers with an event; a result that arrives after the applicant left (a
 * reset, a timeout) is dropped. The print, its template and the FPS code live in memory for one
 * applicant only. The journal gets `photo_check` events: the rule scores, the live decision and
 * its numbers, the outcome — the money's own states come from kiosk/payment as `payment_state`.
 */
export class PhotoKiosk implements KioskSource {
  readonly actor: Actor<typeof photoMachine>;
  #applicant: Applicant | undefined;
  #visit = 0;
  #running = '';
  readonly #fns = new Set<(s: KioskScreen) => void>();

  constructor(private readonly ports: PhotoPorts, timings: PhotoTimings) {
    const clock = ports.clock;
    this.actor = createActor(photoMachine, {
      input: { timings },
      clock: { setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms), clearTimeout: (h: unknown) => clock.clearTimeout(h as TimerHandle) },
    });
    this.actor.subscribe((snap) => this.#changed(snap));
    this.actor.start();
  }

  /** The application in hand (null at the start): for the simulation and the technician. */
  application(): string | null {
    return this.#applicant?.application ?? null;
  }

  /** The FPS payload while the code is on the screen, else null. */
  qr(): string | null {
    return this.actor.getSnapshot().context.paymentScreen === 'show_qr' ? this.#applicant?.qr ?? null : null;
  }

  screen(): KioskScreen {
    return this.#screen(this.actor.getSnapshot());
  }

  on(_e: 'screen', fn: (s: KioskScreen) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  act(action: string): void {
    const snap = this.actor.getSnapshot();
    const a = this.#applicant;
    switch (action) {
      case 'start':
        return void this.actor.send({ type: 'START' });
      case 'scan':
        return void this.actor.send({ type: 'SCAN' });
      case 'pay-fps':
      case 'pay-octopus': {
        const method = action === 'pay-fps' ? 'fps' : 'octopus';
        if (this.ports.methods.includes(method)) this.actor.send({ type: 'PAY', method });
        return;
      }
      case 'cancel':
        if (snap.value === 'paying' && a && snap.context.method) return this.ports.payments.cancel(snap.context.method, a.application);
        return void this.actor.send({ type: 'CANCEL' });
      case 'counter':
        if (a) this.#journal({ step: 'referred_to_counter', outcome: snap.context.outcome });
        return void this.actor.send({ type: 'START' });
      case 'done':
        return void this.actor.send({ type: 'START' });
    }
  }

  /** Inactivity: back to the start. A payment in progress is cancelled at the acquirer first; its end is still journalled by kiosk/payment. */
  reset(): void {
    const snap = this.actor.getSnapshot();
    if (snap.value === 'paying' && this.#applicant && snap.context.method) return this.ports.payments.cancel(snap.context.method, this.#applicant.application);
    if (snap.value !== 'idle' && snap.value !== 'printing') this.actor.send(snap.value === 'result' ? { type: 'START' } : { type: 'CANCEL' });
    if (this.actor.getSnapshot().value !== 'idle' && this.actor.getSnapshot().value !== 'printing') this.actor.send({ type: 'START' });
  }

  stop(): void {
    this.actor.stop();
    this.ports.scanner.cancel();
  }

  #changed(snap: SnapshotFrom<typeof photoMachine>): void {
    const state = String(snap.value);
    if (state === 'idle') this.#forget();
    else if (!this.#applicant) this.#applicant = { application: newApplication(), print: null, template: null, result: null, qr: null, qrSvg: null, paymentRef: null };
    const c = snap.context;
    // the task's identity: a re-entered state (another face attempt, another scan) is a new task
    const key = `${state}:${c.scanAttempts}:${c.faceAttempts}:${this.#visit}`;
    if (key !== this.#running) {
      const left = this.#running.split(':')[0];
      this.#running = key;
      if (left === 'scanning' && state !== 'checking_photo') this.ports.scanner.cancel();
      if (state === 'result') this.#journal({ step: 'result', outcome: c.outcome, receipt_printed: c.outcome === 'PAID' ? c.receiptPrinted : null });
      this.#run(photoOutputs(snap).task, snap);
    }
    const screen = this.#screen(snap);
    for (const fn of this.#fns) fn(screen);
  }

  #run(task: ReturnType<typeof photoOutputs>['task'], snap: SnapshotFrom<typeof photoMachine>): void {
    const visit = this.#visit;
    const a = this.#applicant;
    if (!task || !a) return;
    const live = (): boolean => visit === this.#visit;
    const send = (e: Parameters<typeof this.actor.send>[0]): void => {
      if (live()) this.actor.send(e);
    };
    if (task === 'scan') {
      void this.ports.scanner.scan(this.ports.scan).then(
        async (scan) => {
          try {
            a.print = (await cropPrint(scan.png, scan.dpi)).jpeg;
            send({ type: 'SCANNED' });
          } catch (err) {
            send({ type: 'SCAN_FAILED', code: errorCode(err) });
          }
        },
        (err: unknown) => {
          if (errorCode(err) !== 'SCANNER_CANCELLED') send({ type: 'SCAN_FAILED', code: errorCode(err) });
        },
      );
    } else if (task === 'check_photo') {
      void this.ports.checkPortrait(a.print!).then(
        (r) => {
          if (!live()) return;
          a.result = r;
          a.template = r.template;
          const view = journalView(r);
          this.#journal({ step: 'checked', compliant: r.compliant, rules: view.rules, failing: view.failing, check_ms: Math.round(r.timings.total) });
          send({ type: 'PHOTO_CHECKED', compliant: r.compliant && r.template !== null, failing: r.failing.map((f) => f.rule) });
        },
        (err: unknown) => {
          if (!live()) return;
          this.#journal({ step: 'checked', compliant: false, error: errorCode(err) });
          send({ type: 'PHOTO_CHECKED', compliant: false, failing: ['oneFace'] });
        },
      );
    } else if (task === 'verify_live') {
      const attempt = snap.context.faceAttempts;
      void this.ports.verifyLive(a.template!).then(
        (v) => {
          if (!live()) return;
          this.#journal({ step: 'live', attempt, decision: v.decision, match_score: round(v.score), liveness_score: round(v.liveness), issues: v.issues });
          send({ type: 'LIVE_VERIFIED', decision: v.decision, score: v.score });
        },
        (err: unknown) => {
          if (!live()) return;
          this.#journal({ step: 'live', attempt, decision: 'no_face', error: errorCode(err) });
          send({ type: 'LIVE_VERIFIED', decision: 'no_face', score: null });
        },
      );
    } else if (task === 'pay') {
      const method = snap.context.method!;
      // the payment outlives a reset: its end is journalled by kiosk/payment whatever the screen does
      void this.ports.payments
        .pay(method, a.application, this.ports.feeCents, (s, qr) => {
          if (qr) a.qr = qr;
          send({ type: 'PAYMENT_SCREEN', screen: s.screen });
        })
        .then(
          (o) => {
            a.paymentRef = o.ref;
            send({ type: 'PAYMENT_ENDED', end: PAYMENT_END[o.state] ?? 'failed' });
          },
          (err: unknown) => {
            this.#journal({ step: 'payment_failed', error: errorCode(err) });
            send({ type: 'PAYMENT_ENDED', end: 'failed' });
          },
        );
    } else if (task === 'print') {
      const paidAt = new Date(this.ports.clock.now() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
      const job = photoReceiptJob({ application: a.application, amountCents: this.ports.feeCents, method: snap.context.method!, paymentRef: a.paymentRef, paidAt, kiosk: this.ports.kiosk });
      void this.ports.printer.print(job).then(
        () => send({ type: 'PRINTED', ok: true }),
        (err: unknown) => {
          this.#journal({ step: 'receipt_failed', error: errorCode(err) });
          send({ type: 'PRINTED', ok: false });
        },
      );
    }
  }

  #screen(snap: SnapshotFrom<typeof photoMachine>): KioskScreen {
    const a = this.#applicant;
    const ruleWording = (rule: string): Wording | undefined => a?.result?.failing.find((f) => f.rule === rule)?.wording;
    const out = photoOutputs(snap, ruleWording, formatHkd(this.ports.feeCents));
    const state = String(snap.value);
    const c = snap.context;
    const actions: KioskAction[] = [];
    let tone: KioskScreen['tone'] = 'wait';
    let awaits = false;
    if (state === 'idle') [tone, awaits] = ['neutral', false], actions.push(ACTIONS.start);
    else if (state === 'place_photo') [tone, awaits] = ['neutral', true], actions.push(ACTIONS.scan, ACTIONS.cancel);
    else if (state === 'choose_payment') {
      [tone, awaits] = ['go', true];
      if (this.ports.methods.includes('fps')) actions.push(ACTIONS.fps);
      if (this.ports.methods.includes('octopus')) actions.push({ ...ACTIONS.octopus, primary: !this.ports.methods.includes('fps') });
      actions.push(ACTIONS.cancel);
    } else if (state === 'paying' && (c.paymentScreen === 'show_qr' || c.paymentScreen === 'tap_card')) actions.push(ACTIONS.cancel);
    else if (state === 'result') {
      tone = c.outcome === 'PAID' ? 'go' : c.outcome === 'ABANDONED' ? 'neutral' : 'stop';
      if (c.outcome && REFUSED_PHOTO.has(c.outcome)) actions.push(ACTIONS.counter, { ...ACTIONS.done, primary: false });
      else actions.push(ACTIONS.done);
    }
    const screen: KioskScreen = { id: out.screen.id, tone, title: tri(out.screen.text), lines: out.screen.hint ? [tri(out.screen.hint)] : [], actions, awaitsVisitor: awaits };
    if (state === 'paying' && c.paymentScreen === 'show_qr' && a?.qr) {
      a.qrSvg ??= fpsQrSvgSync(a.qr);
      return { ...screen, qr: { svg: a.qrSvg } };
    }
    return screen;
  }

  #journal(data: Record<string, unknown>): void {
    const a = this.#applicant;
    if (!a) return;
    try {
      this.ports.journal({ application: a.application, kiosk: this.ports.kiosk, ...data });
    } catch {
      // a refused or failed journal write must not stop the applicant's session; the journal reports its own faults
    }
  }

  #forget(): void {
    this.#applicant = undefined;
    this.#visit++;
  }
}

const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
