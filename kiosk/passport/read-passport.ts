import type { Logger } from 'pino';
import type { ApduTransport } from '../../drivers/chip/interface.ts';
import type { Clock } from '../clock.ts';
import { activeAuthentication } from './active-auth.ts';
import { chipAuthentication, dg14PaceInfos, parseDg14 } from './chip-auth.ts';
import { performBac } from './bac.ts';
import { choosePace, parseCardAccess } from '../../icao/card-access.ts';
import { ChipChannel } from './channel.ts';
import { asReason, ChipTransportError, PassportError, type PassportReason } from '../../icao/errors.ts';
import { decodeFace, type DecodedFace } from './face-decode.ts';
import { parseDg2, type FaceFormat } from './face-image.ts';
import { parseDg1, parseDg15, parseEfCom } from './lds.ts';
import { FID, readFile } from './lds-read.ts';
import { isExpired, parseTd3, type Mrz } from '../../icao/mrz.ts';
import { performPace } from './pace.ts';
import { passiveAuthentication } from './passive-auth.ts';
import type { TrustList } from './trust.ts';

const EMRTD_AID = Buffer.from('A0000002471001', 'hex');

export interface PassportPolicy {
  /** Issuing states (ICAO three-letter codes) eligible for this lane; empty accepts any. */
  eligibleStates: readonly string[];
  /** Use PACE when EF.CardAccess offers it (else BAC only). */
  pace: boolean;
  /** Reject a Document Signer whose CSCA has no CRL loaded. */
  requireCrl: boolean;
  /** Bytes per READ BINARY. */
  chunk: number;
}

export const DEFAULT_POLICY: PassportPolicy = { eligibleStates: [], pace: true, requireCrl: false, chunk: 223 };

export interface ReadPassportInput {
  /** The optically read MRZ: two lines (array, or one string with a newline, or 88 characters). */
  mrz: string | readonly string[];
  /** The connected chip (ChipReader after connect(), or any APDU transport). */
  chip: ApduTransport;
  trust: TrustList;
  clock: Clock;
  policy?: Partial<PassportPolicy>;
  /**
   * The face quality gate (the biometrics part's): resolves to undefined when the face is
   * usable as a reference, or to a short reason text when it is not (REFERENCE_UNUSABLE).
   */
  qualityGate?: (face: DecodedFace) => Promise<string | undefined>;
  /**
   * False: DG2 is not read (nor decoded, nor quality-gated) — the caller holds the face reference
   * already (an enrolment made from this booklet's DG2). Everything else still runs: DG1 and
   * EF.SOD are read and Passive Authentication proves them, the clone check proves the chip.
   */
  readFace?: boolean;
  logger?: Logger;
}

export type PassportStep = 'mrz' | 'eligibility' | 'select' | 'access' | 'read' | 'passive' | 'clone' | 'face';

export interface PassportResult {
  ok: boolean;
  /** Why the document was rejected (epassport.md); absent when ok. */
  reason?: PassportReason;
  /** The step that failed. */
  failedStep?: PassportStep;
  /** From the MRZ, once it parsed: safe to journal. */
  issuingState?: string;
  documentType?: string;
  accessControl?: 'PACE' | 'BAC';
  /** Which clone check ran and passed: Chip Authentication (DG14), else Active Authentication (DG15), else none offered. */
  cloneCheck?: 'CA' | 'AA' | 'none';
  /** DG2's face: the encoded bytes as stored and the decoded pixels. Never log it. */
  faceImage?: { format: FaceFormat; bytes: Buffer; width: number; height: number; decoded: DecodedFace };
  /** Milliseconds per step (monotonic clock), plus one entry per file read ('read:DG2'…). */
  timings: Record<string, number>;
}

/**
 * Reads an e-passport's chip and proves it genuine, in the order of epassport.md: MRZ,
 * eligibility, SELECT, PACE or BAC, secure-messaging reads of EF.COM/EF.SOD/DG1/DG2
 * (DG15 when listed), Passive Authentication, Active Authentication, face decode and
 * quality. Never throws for a document problem: the result carries the reason. The
 * journal may record reason, issuing state and document type — nothing else from here.
 */
export async function readAndVerifyPassport(input: ReadPassportInput): Promise<PassportResult> {
  const policy = { ...DEFAULT_POLICY, ...input.policy };
  const { clock } = input;
  const result: PassportResult = { ok: false, timings: {} };
  let step: PassportStep = 'mrz';
  const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = clock.monotonic();
    try {
      return await fn();
    } finally {
      result.timings[name] = (result.timings[name] ?? 0) + (clock.monotonic() - t0);
    }
  };
  try {
    const mrz: Mrz = await timed('mrz', () => asReason('MRZ_INVALID', 'MRZ', () => parseTd3(input.mrz as string | string[])));
    result.issuingState = mrz.issuingState;
    result.documentType = mrz.documentCode;

    step = 'eligibility';
    if (mrz.documentCode !== 'P' && !mrz.documentCode.startsWith('P')) throw new PassportError('DOC_NOT_ELIGIBLE', 'not a passport');
    if (policy.eligibleStates.length > 0 && !policy.eligibleStates.includes(mrz.issuingState)) throw new PassportError('DOC_NOT_ELIGIBLE', 'issuing state not eligible for this lane');
    if (isExpired(mrz, clock.now())) throw new PassportError('DOC_EXPIRED', 'document expired');

    const ch = new ChipChannel(input.chip);
    step = 'access';
    const pace = policy.pace ? await timed('cardAccess', () => readCardAccess(ch, policy.chunk)) : undefined;
    if (pace) {
      await timed('access', async () => ch.secure(await asReason('ACCESS_DENIED', 'PACE', () => performPace(ch, mrz, pace))));
      result.accessControl = 'PACE';
      step = 'select';
      await timed('select', () => ch.expectOk({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID }, 'CHIP_UNREADABLE', 'SELECT eMRTD'));
    } else {
      step = 'select';
      await timed('select', () => ch.expectOk({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID }, 'CHIP_UNREADABLE', 'SELECT eMRTD'));
      step = 'access';
      await timed('access', async () => ch.secure(await asReason('ACCESS_DENIED', 'BAC', () => performBac(ch, mrz))));
      result.accessControl = 'BAC';
    }

    step = 'read';
    const read = (name: string, fid: number): Promise<Buffer> => timed(`read:${name}`, () => asReason('CHIP_UNREADABLE', name, () => readFile(ch, fid, { chunk: policy.chunk })));
    const com = await read('EF.COM', FID.com);
    const comGroups = await asReason('CHIP_UNREADABLE', 'EF.COM', () => parseEfCom(com).dataGroups);
    const sod = await read('EF.SOD', FID.sod);
    const groups = new Map<number, Buffer>([[1, await read('DG1', FID.dg1)]]);
    if (input.readFace !== false) groups.set(2, await read('DG2', FID.dg2));
    if (comGroups.includes(14)) groups.set(14, await read('DG14', FID.dg14));
    if (comGroups.includes(15)) groups.set(15, await read('DG15', FID.dg15));

    step = 'passive';
    let dg1Mrz: [string, string] = ['', ''];
    try {
      dg1Mrz = parseDg1(groups.get(1)!);
    } catch {
      // An unparsable DG1 still has its hash checked first; then it cannot equal the MRZ.
    }
    await timed('passive', () =>
      passiveAuthentication({ efSod: sod, dataGroups: groups, comGroups, dg1Mrz, opticalMrz: mrz.lines, trust: input.trust, now: new Date(clock.now()), requireCrl: policy.requireCrl }),
    );

    const dg14 = groups.get(14);
    if (dg14 && policy.pace && result.accessControl === 'BAC') {
      step = 'access';
      const signedPace = await asReason('ACCESS_DENIED', 'DG14', () => choosePace(dg14PaceInfos(dg14)));
      if (signedPace) throw new PassportError('ACCESS_DENIED', 'DG14 offers PACE but EF.CardAccess did not: downgraded to BAC');
    }

    step = 'clone';
    const dg15 = groups.get(15);
    const ca = dg14 ? await asReason('CHIP_CLONED', 'DG14', () => parseDg14(dg14)) : undefined;
    if (ca) {
      // Chip Authentication also replaces the session keys: the rest of any read runs under them.
      await timed('clone', () => chipAuthentication(ch, ca));
      result.cloneCheck = 'CA';
    } else if (dg15) {
      const key = await asReason('CHIP_CLONED', 'DG15', () => parseDg15(dg15));
      await timed('clone', () => activeAuthentication(ch, key));
      result.cloneCheck = 'AA';
    } else result.cloneCheck = 'none';

    // An enrolled visitor's face reference is already held (readFace false): no DG2 to decode.
    if (input.readFace !== false) {
      step = 'face';
      const face = await asReason('REFERENCE_UNUSABLE', 'DG2', () => parseDg2(groups.get(2)!));
      const decoded = await timed('face', () => decodeFace(face));
      if (input.qualityGate) {
        const why = await timed('quality', () => asReason('REFERENCE_UNUSABLE', 'quality gate', () => input.qualityGate!(decoded)));
        if (why) throw new PassportError('REFERENCE_UNUSABLE', `face fails the quality gate: ${why}`);
      }
      result.faceImage = { format: face.format, bytes: face.bytes, width: face.width, height: face.height, decoded };
    }
    result.ok = true;
  } catch (err) {
    const e = err instanceof PassportError ? err : new PassportError(step === 'mrz' ? 'MRZ_INVALID' : 'CHIP_UNREADABLE', `unexpected failure in ${step}`, { cause: err });
    result.reason = e.code;
    result.failedStep = step;
    input.logger?.info({ reason: e.code, step, detail: e.message, issuingState: result.issuingState, documentType: result.documentType }, 'passport rejected');
  }
  if (result.ok) input.logger?.info({ issuingState: result.issuingState, documentType: result.documentType, accessControl: result.accessControl, timings: result.timings }, 'passport verified');
  return result;
}

/** EF.CardAccess from the master file; absent or unreadable means "no PACE" (BAC then). */
async function readCardAccess(ch: ChipChannel, chunk: number) {
  try {
    return choosePace(parseCardAccess(await readFile(ch, FID.cardAccess, { chunk })));
  } catch (err) {
    // A chip that vanished is not "no PACE".
    if (err instanceof ChipTransportError) throw err;
    return undefined;
  }
}
