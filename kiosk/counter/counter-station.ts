import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { FaceReference, QualityIssue } from '../biometrics/index.ts';
import type { TokenVerdict } from '../crossing/types.ts';
import type { KioskScreen, KioskSource } from '../display/kiosk-types.ts';
import type { ArrivalRecordStore } from './arrival-record.ts';
import type { CounterCapture } from './capture.ts';
import { counterScreen, type CounterStep } from './counter-screens.ts';
import { OfficerError, type OfficerDecision, type OfficerDesk } from './officer-desk.ts';

/** Where the 1:1 score lies against the operating point's threshold; the officer sees the band, not a bare number. */
export type ScoreBand = 'strong' | 'match' | 'weak' | 'no_match' | 'none';

/** ±0.10 of cosine around the threshold is "near": the officer looks again (docs/decisions.md). */
export function scoreBand(score: number | null, threshold: number): ScoreBand {
  if (score === null) return 'none';
  if (score >= threshold + 0.1) return 'strong';
  if (score >= threshold) return 'match';
  if (score >= threshold - 0.1) return 'weak';
  return 'no_match';
}

/** What the officer page shows of the visitor at the counter: verdicts and reasons, no name, number or image. */
export interface CounterCase {
  arrival: string;
  step: CounterStep;
  document: { ok: boolean; reason: string | null; issuingState: string | null; documentType: string | null } | null;
  face: { band: ScoreBand; decision: CounterCapture['decision']; score: number | null; threshold: number } | null;
  liveness: { live: boolean; score: number | null } | null;
  quality: { compliant: boolean; score: number; failing: string[] } | null;
  /** Reasons for doubt, in the order to look at them; empty when everything agrees. */
  doubts: string[];
  /** The buttons the officer may press now. */
  allowed: OfficerDecision[];
  /** Milliseconds from passport on the reader to the case ready for the officer (monotonic). */
  readyMs: number | null;
}

export interface CounterPorts {
  /** The Express lane's document check (chip read, Passive Authentication, eligibility); its reference is the chip photo's template. */
  checkDocument(mrz: readonly string[]): Promise<TokenVerdict>;
  /** Best compliant frame from the counter camera, judged 1:1 against the chip reference. */
  capture(reference: FaceReference, guide: (issue: QualityIssue) => void): Promise<CounterCapture>;
  records: Pick<ArrivalRecordStore, 'put'>;
  desk: Pick<OfficerDesk, 'decide'>;
  /** Journal: verdicts, bands and pseudonyms only — never the portrait, template or document number. */
  journal(event: 'counter_case', data: Record<string, string | number | boolean | null>): void;
  clock: Clock;
}

interface Visit {
  n: number;
  arrival: string;
  since: number;
  verdict: TokenVerdict | null;
  capture: CounterCapture | null;
  readyMs: number | null;
}

/**
 * The counter camera station: passport on the reader → document check → the visitor looks
 * at the camera (guidance on the small visitor screen) → best compliant frame, 1:1 with the
 * chip photo → a case on the officer page → accept, retake or refer. The chip template and
 * the portrait are held in memory for one visitor only; on accept or refer the portrait goes
 * into the encrypted, time-limited arrival record and nowhere else.
 */
export class CounterStation implements KioskSource {
  #step: CounterStep = 'ready';
  #guidance: QualityIssue | null = null;
  #visit: Visit | null = null;
  #n = 0;
  readonly #screens = new Set<(s: KioskScreen) => void>();
  readonly #cases = new Set<(c: CounterCase) => void>();

  constructor(private readonly ports: CounterPorts) {}

  screen(): KioskScreen {
    return counterScreen(this.#step, this.#guidance);
  }

  on(_e: 'screen', fn: (s: KioskScreen) => void): () => void {
    this.#screens.add(fn);
    return () => this.#screens.delete(fn);
  }

  /** Every change of the officer's case (the page and the bench follow it). */
  onCase(fn: (c: CounterCase) => void): () => void {
    this.#cases.add(fn);
    return () => this.#cases.delete(fn);
  }

  /** The visitor's screen has no buttons: the officer decides. */
  act(): void {}

  /** Back to the start, forgetting the visitor (and a late result of the old visit). */
  reset(): void {
    this.#visit = null;
    this.#n++;
    this.#go('ready');
  }

  /** The MRZ reader read a passport; ignored while a visitor is being checked or awaits the officer. */
  passportRead(mrz: readonly string[]): boolean {
    if (this.#step === 'checking' || this.#step === 'capturing' || this.#step === 'review') return false;
    const n = ++this.#n;
    this.#visit = { n, arrival: `ARR-${randomBytes(9).toString('base64url')}`, since: this.ports.clock.monotonic(), verdict: null, capture: null, readyMs: null };
    this.#go('checking');
    void this.ports.checkDocument(mrz).then(
      (v) => this.#checked(n, v),
      () => this.#checked(n, { ok: false, tokenType: 'passport', reason: 'CHIP_UNREADABLE' }),
    );
    return true;
  }

  /** The officer's decision (the desk checks the session and journals it first). OFFICER_* errors pass through. */
  async decide(session: string, arrival: string, decision: OfficerDecision): Promise<void> {
    const v = this.#visit;
    const c = this.view();
    if (!v || c.step !== 'review' || v.arrival !== arrival) throw new OfficerError('OFFICER_BAD_REQUEST', 'that visitor is no longer at the counter');
    if (!c.allowed.includes(decision)) throw new OfficerError('OFFICER_BAD_REQUEST', `${decision} is not offered for this visitor`);
    const officer = this.ports.desk.decide(session, arrival, decision);
    if (decision === 'retake') {
      if (!v.verdict?.ok) {
        this.#visit = null;
        return this.#go('ready');
      }
      v.capture = null;
      void this.#capture(v); // the page returns at once; the new case follows
      return;
    }
    const cap = v.capture;
    if (cap?.portrait) {
      this.ports.records.put(arrival, cap.portrait, { decision, officer, match_score: cap.score, liveness_score: cap.liveness, quality: cap.quality }, this.ports.clock.now());
    }
    v.capture = null; // the portrait is in the sealed record now, not in memory
    this.#go(decision === 'accept' ? 'accepted' : 'referred');
  }

  /** The case as the officer page shows it. */
  view(): CounterCase {
    const v = this.#visit;
    const verdict = v?.verdict ?? null;
    const cap = v?.capture ?? null;
    const detail = verdict?.detail ?? {};
    const document = verdict
      ? { ok: verdict.ok, reason: verdict.ok ? null : verdict.reason, issuingState: typeof detail.issuing_state === 'string' ? detail.issuing_state : null, documentType: typeof detail.document_type === 'string' ? detail.document_type : null }
      : null;
    const face = cap ? { band: scoreBand(cap.score, cap.threshold), decision: cap.decision, score: cap.score, threshold: cap.threshold } : null;
    const liveness = cap ? { live: cap.decision !== 'spoof' && cap.liveness !== null, score: cap.liveness } : null;
    const quality = cap ? { compliant: cap.compliant, score: cap.quality, failing: cap.failing.map((f) => f.en) } : null;
    const doubts: string[] = [];
    if (document && !document.ok) doubts.push(`Document refused: ${document.reason}`);
    if (cap?.decision === 'spoof') doubts.push('Liveness check failed: possible presentation attack (photo, screen or mask)');
    if (cap?.decision === 'no_face') doubts.push('No face was seen by the camera');
    if (cap?.decision === 'poor_quality') doubts.push('The face image is of poor quality');
    if (face?.band === 'no_match') doubts.push('The face does not match the passport chip photo');
    if (face?.band === 'weak') doubts.push('The face score is near the threshold: compare the visitor with the passport');
    if (quality && !quality.compliant) for (const f of quality.failing) doubts.push(`Portrait: ${f}`);
    const step = this.#step;
    const allowed: OfficerDecision[] = step !== 'review' ? [] : document?.ok ? ['accept', 'retake', 'refer'] : ['retake', 'refer'];
    return { arrival: v?.arrival ?? '', step, document, face, liveness, quality, doubts, allowed, readyMs: v?.readyMs ?? null };
  }

  #checked(n: number, verdict: TokenVerdict): void {
    const v = this.#visit;
    if (!v || v.n !== n) return; // reset meanwhile
    v.verdict = verdict;
    if (!verdict.ok) return this.#review(v);
    void this.#capture(v);
  }

  async #capture(v: Visit): Promise<void> {
    this.#guidance = null;
    this.#go('capturing');
    const verdict = v.verdict as Extract<TokenVerdict, { ok: true }>;
    let cap: CounterCapture;
    try {
      cap = await this.ports.capture(verdict.reference as FaceReference, (issue) => {
        if (this.#visit?.n !== v.n) return;
        this.#guidance = issue;
        this.#emit();
      });
    } catch {
      cap = { portrait: null, decision: 'no_face', score: null, threshold: 0, liveness: null, quality: 0, compliant: false, failing: [{ rule: 'oneFace', en: 'The camera gave no picture' }], frames: 0 };
    }
    if (this.#visit?.n !== v.n) return;
    v.capture = cap;
    this.#review(v);
  }

  #review(v: Visit): void {
    v.readyMs = this.ports.clock.monotonic() - v.since;
    this.#guidance = null;
    this.#step = 'review';
    const c = this.view();
    const verdict = v.verdict;
    this.ports.journal('counter_case', {
      arrival: v.arrival,
      subject: verdict?.subject ?? null,
      document_ok: c.document?.ok ?? false,
      document_reason: c.document?.reason ?? null,
      issuing_state: c.document?.issuingState ?? null,
      band: c.face?.band ?? 'none',
      face_decision: c.face?.decision ?? null,
      live: c.liveness?.live ?? null,
      compliant: c.quality?.compliant ?? null,
      quality: c.quality?.score ?? null,
      doubts: c.doubts.length,
      ready_ms: Math.round(v.readyMs),
    });
    this.#emit();
  }

  #go(step: CounterStep): void {
    this.#step = step;
    if (step !== 'capturing') this.#guidance = null;
    this.#emit();
  }

  #emit(): void {
    const s = this.screen();
    for (const fn of this.#screens) fn(s);
    const c = this.view();
    for (const fn of this.#cases) fn(c);
  }
}
