import { SignerChecker } from './certificate.ts';
import { holderMismatches, type PassportHolder } from './holder.ts';
import { LAYERS, refuse, shortHash, VISA_REASONS, VisaRejection, type VisaLayer, type VisaReason } from './reasons.ts';
import type { VisaRevocationList } from './revocations.ts';
import { SEAL_MAX_BYTES, sealSchema, visaMessageSchema, type Seal, type VisaMessage } from './seal-schema.ts';
import { checkSignature } from './signature.ts';
import type { VisaTrust } from './trust.ts';

export const VISA_TYPE = 'icao.visa';
export const VISA_VERSION = 1;

/** Per layer: passed, the reason it failed, or not run (an earlier layer failed, or no QR was involved). */
export type LayerResults = Record<VisaLayer, 'ok' | 'not_run' | VisaReason>;

export interface VisaAccepted {
  ok: true;
  /** Issuing state (header `is`). */
  state: string;
  visa: VisaMessage;
  signer: { subject: string; serial: string; validTo: string };
  layers: LayerResults;
}

export interface VisaRefused {
  ok: false;
  reason: VisaReason;
  layer: VisaLayer;
  /** A fixed description of the failed check; never bytes from the seal. */
  detail: string;
  /** Short hash of the raw seal, to correlate repeated attempts. */
  inputHash: string;
  /** The visa's details, only when its signature verified (a data-layer refusal: expired, revoked, other holder). */
  visa?: VisaMessage;
  layers: LayerResults;
}

export type VisaResult = VisaAccepted | VisaRefused;

export interface VisaVerifierOptions {
  trust: () => VisaTrust;
  revocations: VisaRevocationList;
  /** EKU the barcode signer must carry (default VISA_SIGNER_EKU). */
  signerEku?: string;
  /** Offset of the issuing state's calendar from UTC, minutes: the visa's dates are its days. */
  zoneOffsetMinutes?: number;
}

function notRun(): LayerResults {
  return Object.fromEntries(LAYERS.map((l) => [l, 'not_run'])) as LayerResults;
}

/** Today's date in the issuing state's calendar, YYYY-MM-DD. */
export function localDate(nowMs: number, offsetMinutes: number): string {
  return new Date(nowMs + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * Checks an e-Visa seal (docs/evisa.md) layer by layer, in a fixed order: structure,
 * header, signer certificate, signature, data rules (dates, revocation, holder). Never
 * throws and never accepts on an internal error: whatever goes wrong is a refusal with a
 * reason. Only signature-checked data reaches the data rules or the caller.
 */
export class VisaVerifier {
  readonly #o: VisaVerifierOptions;
  readonly #signers: SignerChecker;

  constructor(opts: VisaVerifierOptions) {
    this.#o = opts;
    this.#signers = new SignerChecker(opts.signerEku ? { eku: opts.signerEku } : {});
  }

  /** `raw` is the text the scanner decoded; `holder` the passport it must belong to (omit to skip the match). */
  verify(raw: string | Uint8Array, ctx: { nowMs: number; holder?: PassportHolder; layers?: Partial<LayerResults> }): VisaResult {
    const layers = { ...notRun(), ...ctx.layers };
    let current: VisaLayer = 'structure';
    let verified: VisaMessage | undefined;
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
    try {
      const seal = this.#structure(bytes);
      layers.structure = 'ok';
      current = 'header';
      const { hdr } = seal.data;
      if (hdr.t !== VISA_TYPE) refuse('HEADER_TYPE', 'seal type is not icao.visa');
      if (hdr.v !== VISA_VERSION) refuse('HEADER_VERSION', 'seal version is not 1');
      if (this.#o.trust().rootsOf(hdr.is).length === 0) refuse('HEADER_ISSUER_UNKNOWN', 'issuing state has no trusted root');
      layers.header = 'ok';
      current = 'certificate';
      const signer = this.#signers.check(Buffer.from(seal.sig.cer, 'base64url'), hdr.is, this.#o.trust(), ctx.nowMs);
      layers.certificate = 'ok';
      current = 'signature';
      checkSignature(seal, signer.cert);
      layers.signature = 'ok';
      current = 'data';
      const visa = seal.data.msg as VisaMessage;
      verified = visa;
      this.#dataRules(visa, ctx);
      layers.data = 'ok';
      return { ok: true, state: hdr.is, visa, signer: { subject: signer.cert.subject, serial: signer.cert.serialNumber, validTo: signer.cert.validTo }, layers };
    } catch (err) {
      const rej = err instanceof VisaRejection ? err : undefined;
      // An unexpected error is still a refusal, charged to the layer that was running.
      const reason: VisaReason = rej?.reason ?? (current === 'structure' ? 'SEAL_SCHEMA' : current === 'data' ? 'HOLDER_MISMATCH' : current === 'certificate' ? 'CERT_MALFORMED' : current === 'signature' ? 'BAD_SIGNATURE' : 'HEADER_TYPE');
      const layer = VISA_REASONS[reason];
      layers[layer] = reason;
      return { ok: false, reason, layer, detail: rej?.message ?? `internal error in the ${current} layer`, inputHash: shortHash(bytes), ...(verified ? { visa: verified } : {}), layers };
    }
  }

  /** Size before parsing, then JSON, then the strict schema (the message's once the header names icao.visa v1). */
  #structure(bytes: Buffer): Seal {
    if (bytes.length > SEAL_MAX_BYTES) refuse('SEAL_TOO_LARGE', `seal over ${SEAL_MAX_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      refuse('SEAL_NOT_JSON', 'seal is not UTF-8 JSON');
    }
    const r = sealSchema.safeParse(json);
    if (!r.success) refuse('SEAL_SCHEMA', `seal does not follow the VDS-NC schema (${r.error.issues[0]?.path.join('.') || 'root'})`);
    // One encoding per value: spare bits in the last base64url character must be zero.
    for (const v of [r.data.sig.cer, r.data.sig.sigvl]) if (Buffer.from(v, 'base64url').toString('base64url') !== v) refuse('SEAL_SCHEMA', 'base64url value is not canonical');
    const { hdr, msg } = r.data.data;
    if (hdr.t === VISA_TYPE && hdr.v === VISA_VERSION) {
      const m = visaMessageSchema.safeParse(msg);
      if (!m.success) refuse('SEAL_SCHEMA', `visa message does not follow the schema (${m.error.issues[0]?.path.join('.') || 'msg'})`);
    }
    return r.data;
  }

  #dataRules(visa: VisaMessage, ctx: { nowMs: number; holder?: PassportHolder }): void {
    const today = localDate(ctx.nowMs, this.#o.zoneOffsetMinutes ?? 0);
    if (today < visa.vf) refuse('VISA_NOT_YET_VALID', 'visa not valid yet');
    if (today > visa.vu) refuse('VISA_EXPIRED', 'visa expired');
    if (this.#o.revocations.isRevoked(visa.vn)) refuse('VISA_REVOKED', 'visa revoked');
    if (ctx.holder) {
      const diff = holderMismatches(visa.pid, ctx.holder);
      if (diff.length > 0) refuse('HOLDER_MISMATCH', `seal is for another passport (${diff.join(', ')})`);
    }
  }
}
