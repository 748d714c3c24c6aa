import type { ChipReader } from '../../drivers/chip/interface.ts';
import type { FaceEngine, RawFrame, ReferenceExtraction } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import type { TokenVerdict } from '../crossing/types.ts';
import type { Logger } from '../log.ts';
import type { DecodedFace } from '../passport/face-decode.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import { readAndVerifyPassport, type PassportPolicy } from '../passport/read-passport.ts';
import type { TrustList } from '../passport/trust.ts';
import { looksLikeSeal, type ExpressVisa } from './visa-check.ts';

export interface DocumentCheckDeps {
  chip: ChipReader;
  trust: () => TrustList;
  engine: FaceEngine;
  clock: Clock;
  log: Logger;
  /** Pseudonym for the journal (HMAC of issuing state + document number, never the number). */
  pseudonym: (value: string) => string;
  policy?: Partial<PassportPolicy>;
  /** How long to wait for the chip to come into the field after the MRZ was read. */
  chipWaitMs?: number;
  /** e-Visas: visitors of the nationalities that need one scan it after the passport (docs/evisa.md). */
  visa?: ExpressVisa;
  /**
   * The enrolled face template for this MRZ (kiosk/express/enrolment-index.ts), when the visitor
   * self-registered this booklet and the enrolment has not ended: DG2 is then not read and the
   * live face is compared with the enrolled template. DG1, EF.SOD, Passive Authentication and
   * the clone check run as always (docs/decisions.md).
   */
  enrolled?: (mrz: unknown) => { template: Float32Array } | undefined;
}

/** A decoded DG2 face as the face engine's raw frame (grey faces widened to RGB). */
export function faceToFrame(face: DecodedFace): RawFrame {
  if (face.channels === 3) return { width: face.width, height: face.height, channels: 3, data: new Uint8Array(face.pixels.buffer, face.pixels.byteOffset, face.pixels.length) };
  const rgb = new Uint8Array(face.width * face.height * 3);
  for (let i = 0, j = 0; i < face.width * face.height; i++, j += 3) {
    const v = face.pixels[i * face.channels] ?? 0;
    rgb[j] = rgb[j + 1] = rgb[j + 2] = v;
  }
  return { width: face.width, height: face.height, channels: 3, data: rgb };
}

/** Waits for the reader's `present` event (the visitor may lay the passport down just after the MRZ swipe). */
function waitForChip(chip: ChipReader, clock: Clock, ms: number): Promise<boolean> {
  if (chip.cardPresent) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (present: boolean): void => {
      clock.clearTimeout(timer);
      chip.off('present', onPresent);
      resolve(present);
    };
    const onPresent = (): void => done(true);
    const timer = clock.setTimeout(() => done(chip.cardPresent), ms);
    chip.on('present', onPresent);
  });
}

/**
 * The Express e-Channel's "token check": the visitor's e-passport. Reads and proves the chip
 * (epassport.md, in its order), then takes the DG2 photo as this crossing's face reference —
 * but only when the face engine rates it usable (REFERENCE_UNUSABLE otherwise). The verdict
 * carries the issuing state, document type and step timings for the journal; never the
 * document number, the name or the image.
 */
export function createDocumentCheck(deps: DocumentCheckDeps): (channel: string, token: unknown) => Promise<TokenVerdict> {
  return async (_channel, token): Promise<TokenVerdict> => {
    const since = deps.clock.monotonic();
    // An e-Visa scanned before the passport: the visitor is told to start with the passport.
    if (looksLikeSeal(token)) return { ok: false, tokenType: 'passport', reason: 'VISA_BEFORE_PASSPORT' };
    const lines = Array.isArray(token) ? (token as string[]) : typeof token === 'string' ? token : '';
    let subject = '';
    let mrz: ReturnType<typeof parseTd3> | undefined;
    try {
      mrz = parseTd3(lines);
      subject = deps.pseudonym(`${mrz.issuingState}:${mrz.documentNumber}`);
    } catch {
      /* readAndVerifyPassport gives MRZ_INVALID below */
    }
    if (!(await waitForChip(deps.chip, deps.clock, deps.chipWaitMs ?? 1500))) {
      return { ok: false, tokenType: 'passport', reason: 'CHIP_UNREADABLE', ...(subject ? { subject } : {}), detail: { failed_step: 'select', chip: 'absent' } };
    }
    let extraction: ReferenceExtraction | undefined;
    const enrolment = deps.enrolled?.(lines);
    let verdict: TokenVerdict;
    // chip_ms is the whole chip session: access control, every file read, the checks.
    const chipFrom = deps.clock.monotonic();
    try {
      await deps.chip.connect();
    } catch {
      return { ok: false, tokenType: 'passport', reason: 'CHIP_UNREADABLE', ...(subject ? { subject } : {}), detail: { failed_step: 'select' } };
    }
    try {
      const r = await readAndVerifyPassport({
        mrz: lines,
        chip: deps.chip,
        trust: deps.trust(),
        clock: deps.clock,
        ...(deps.policy ? { policy: deps.policy } : {}),
        logger: deps.log,
        readFace: !enrolment,
        qualityGate: async (face) => {
          try {
            extraction = await deps.engine.extractReference(faceToFrame(face));
          } catch (err) {
            return `no usable face (${(err as { code?: string }).code ?? 'ERROR'})`;
          }
          return extraction.acceptable ? undefined : `poor quality: ${extraction.issues.join(',')}`;
        },
      });
      const detail: Record<string, string | number | boolean> = {
        ...(r.issuingState ? { issuing_state: r.issuingState } : {}),
        ...(r.documentType ? { document_type: r.documentType } : {}),
        ...(r.accessControl ? { access_control: r.accessControl } : {}),
        ...(r.cloneCheck ? { clone_check: r.cloneCheck } : {}),
        ...(r.failedStep ? { failed_step: r.failedStep } : {}),
        chip_ms: Math.round(deps.clock.monotonic() - chipFrom),
        face_reference: enrolment ? 'enrolment' : 'dg2',
      };
      // the enrolled template is this booklet's DG2 template, so it keeps the chip operating point
      const template = enrolment?.template ?? extraction?.template;
      if (!r.ok || !template) return { ok: false, tokenType: 'passport', reason: r.reason ?? 'REFERENCE_UNUSABLE', ...(subject ? { subject } : {}), detail };
      verdict = { ok: true, tokenType: 'passport', subject, reference: { template, source: 'chip' }, detail };
    } finally {
      await deps.chip.disconnect?.().catch(() => {});
    }
    // The passport is proven (DG1 equals this MRZ): now its e-Visa, when the nationality needs one.
    if (deps.visa && mrz && deps.visa.required(mrz.nationality)) {
      const v = await deps.visa.check(mrz, since);
      if (!v.ok) return { ok: false, tokenType: 'passport', reason: v.reason, subject, detail: { ...verdict.detail, ...v.detail } };
      return { ...verdict, detail: { ...verdict.detail, ...v.detail } };
    }
    return verdict;
  };
}
