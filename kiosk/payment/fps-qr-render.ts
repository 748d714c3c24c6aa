import QRCode from 'qrcode';

/**
 * The FPS code as the payment screen shows it. Error correction M (15 % of the code may be
 * lost to glare or a smudge, and the code stays small enough to scan from arm's length);
 * a quiet zone of 4 modules as ISO/IEC 18004 requires. The payload is ASCII, so byte mode.
 */
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** An SVG document for the kiosk page (scales to the screen without blur). */
export async function fpsQrSvg(payload: string): Promise<string> {
  return QRCode.toString(payload, { ...OPTIONS, type: 'svg' });
}

/** A PNG with `scale` pixels per module (the receipt printer, tests decoding it back). */
export async function fpsQrPng(payload: string, scale = 6): Promise<Buffer> {
  return QRCode.toBuffer(payload, { ...OPTIONS, type: 'png', scale });
}
