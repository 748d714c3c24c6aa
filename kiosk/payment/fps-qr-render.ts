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

/**
 * The same code as an SVG drawn synchronously from the QR matrix (one path of unit squares,
 * the 4-module quiet zone white): for a screen that is a pure function of the kiosk's state.
 */
export function fpsQrSvgSync(payload: string): string {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: OPTIONS.errorCorrectionLevel });
  const n = modules.size;
  const side = n + 2 * OPTIONS.margin;
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (modules.get(r, c)) d += `M${c + OPTIONS.margin} ${r + OPTIONS.margin}h1v1h-1z`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges"><path fill="#ffffff" d="M0 0h${side}v${side}H0z"/><path fill="#000000" d="${d}"/></svg>`;
}
