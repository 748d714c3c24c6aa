import { decodeQrImage, decodeQrPdf } from './qr-decode.ts';
import { LAYERS, shortHash } from './reasons.ts';
import type { LayerResults, VisaResult, VisaVerifier } from './verifier.ts';
import type { PassportHolder } from './holder.ts';

export type VisaSource = 'pdf' | 'image' | 'text';

/** Largest file taken (a phone photo or a PDF): anything bigger is refused unread. */
export const MAX_INPUT_BYTES = 20 * 1024 * 1024;

const isPdf = (b: Buffer): boolean => b.subarray(0, 5).toString('latin1') === '%PDF-';
const isText = (b: Buffer): boolean => /^\s*\{/.test(b.subarray(0, 64).toString('latin1'));

/**
 * What airline staff hand the verifier: the e-Visa PDF, a photo or scan of its QR code, or
 * the seal text a scanner produced. The QR layer is decided here (QR_UNREADABLE when no
 * code is found), then the seal goes through VisaVerifier. Never throws.
 */
export async function inspectVisa(bytes: Uint8Array, verifier: VisaVerifier, ctx: { nowMs: number; holder?: PassportHolder }): Promise<{ source: VisaSource; result: VisaResult }> {
  const b = Buffer.from(bytes);
  const source: VisaSource = isPdf(b) ? 'pdf' : isText(b) ? 'text' : 'image';
  const notRun = Object.fromEntries(LAYERS.map((l) => [l, 'not_run'])) as LayerResults;
  if (b.length > MAX_INPUT_BYTES) {
    return { source, result: { ok: false, reason: 'QR_UNREADABLE', layer: 'qr', detail: 'file too large', inputHash: shortHash(b.subarray(0, 4096)), layers: { ...notRun, qr: 'QR_UNREADABLE' } } };
  }
  if (source === 'text') return { source, result: verifier.verify(b, ctx) };
  const seal = source === 'pdf' ? await decodeQrPdf(b) : await decodeQrImage(b);
  if (!seal) return { source, result: { ok: false, reason: 'QR_UNREADABLE', layer: 'qr', detail: `no QR code found in the ${source}`, inputHash: shortHash(b), layers: { ...notRun, qr: 'QR_UNREADABLE' } } };
  return { source, result: verifier.verify(seal, { ...ctx, layers: { qr: 'ok' } }) };
}
