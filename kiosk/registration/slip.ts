import QRCode from 'qrcode';
import { align, bold, concat, feed, initialise, line, partialCut, raster, size, type Bitmap } from '../../drivers/printer/escpos.ts';

/** What the enrolment slip tells the visitor. No document number, no name: a lost slip gives nothing away. */
export interface EnrolmentSlip {
  /** The enrolment's reference (random, not derived from the passport): quoted to withdraw. */
  readonly reference: string;
  /** The enrolment's end: the passport's expiry, YYYY-MM-DD. */
  readonly validUntil: string;
  /** When it was made, YYYY-MM-DD HH:MM (Hong Kong time), and where. */
  readonly issuedAt: string;
  readonly kiosk: string;
}

/** What the slip's QR code says: the scheme and the reference, read back at a counter to withdraw. */
export function slipQrText(slip: Pick<EnrolmentSlip, 'reference'>): string {
  return `HKENR1:${slip.reference}`;
}

/** Dots per QR module and quiet zone in modules (4 is the QR standard's minimum). */
const DOTS_PER_MODULE = 6;
const QUIET_MODULES = 4;

/** The QR code as a 1-bit image for the printer's raster command. */
export function qrBitmap(text: string): Bitmap {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 2 * QUIET_MODULES) * DOTS_PER_MODULE;
  return {
    width: side,
    height: side,
    dark(x, y) {
      const c = Math.floor(x / DOTS_PER_MODULE) - QUIET_MODULES;
      const r = Math.floor(y / DOTS_PER_MODULE) - QUIET_MODULES;
      return r >= 0 && c >= 0 && r < modules.size && c < modules.size && modules.get(r, c) === 1;
    },
  };
}

/**
 * The slip in the three languages of the kiosk (Traditional Chinese, English, Simplified
 * Chinese), then the QR code, then a partial cut. PDPO: it says how long the template is
 * kept and how to withdraw, as the consent screen did.
 */
export function enrolmentSlipJob(slip: EnrolmentSlip): Uint8Array {
  return concat([
    initialise(),
    align('centre'),
    bold(true),
    size(2, 2),
    line('e-道登記'),
    line('e-Channel'),
    size(1, 1),
    bold(false),
    line('登記成功 Enrolment done 登记成功'),
    feed(1),
    align('left'),
    line(`Ref 編號: ${slip.reference}`),
    line(`Valid until 有效至: ${slip.validUntil}`),
    line(`Issued 簽發: ${slip.issuedAt} ${slip.kiosk}`),
    feed(1),
    line('面部模板保存至護照有效期屆滿。'),
    line('撤回同意：請在任何櫃檯出示此二維碼。'),
    line('Your face template is kept until your'),
    line('passport expires. To withdraw consent,'),
    line('show this code at any counter.'),
    line('面部模板保存至护照有效期届满。'),
    line('撤回同意：请在任何柜台出示此二维码。'),
    align('centre'),
    raster(qrBitmap(slipQrText(slip))),
    feed(3),
    partialCut(),
  ]);
}
