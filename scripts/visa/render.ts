import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import type { VisaMessage } from '../../kiosk/visa/seal-schema.ts';

/**
 * The QR code of a seal as the department prints it (docs/evisa.md §3): byte mode (the
 * seal is UTF-8 JSON), error correction M, a 4-module quiet zone. `scale` is pixels per module.
 */
export async function qrPng(text: string, scale = 2): Promise<Buffer> {
  return QRCode.toBuffer([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M', margin: 4, scale, type: 'png' });
}

/** The QR version (size) a seal needs at error correction M. */
export function qrVersion(text: string): number {
  return QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M' }).version;
}

const mm = (v: number): number => (v * 72) / 25.4;

/**
 * The e-Visa as the holder downloads it: one A4 page with the visa's details in print and
 * the seal's QR code (40 mm wide, 8 px per module: readable from a print or a screen).
 * The details printed come from the seal itself, so the page and the seal cannot disagree.
 */
export async function visaPdf(sealTextValue: string): Promise<Uint8Array> {
  const seal = JSON.parse(sealTextValue) as { data: { hdr: { is: string }; msg: VisaMessage } };
  const m = seal.data.msg;
  const doc = await PDFDocument.create();
  doc.setTitle(`e-Visa ${m.vn}`);
  doc.setProducer('egate visa-tool (test issuer)');
  const page = doc.addPage([mm(210), mm(297)]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  page.drawText('ELECTRONIC VISA', { x: mm(20), y: mm(270), size: 20, font: bold });
  page.drawText(`Issued by ${seal.data.hdr.is} — TEST DOCUMENT, NOT VALID FOR TRAVEL`, { x: mm(20), y: mm(262), size: 9, font, color: rgb(0.6, 0, 0) });
  const rows: [string, string][] = [
    ['Visa number', m.vn],
    ['Visa type', m.vt],
    ['Name (as in passport)', m.pid.n.replace(/<+/g, ' ').trim()],
    ['Passport number', m.pid.i.replace(/<+$/, '')],
    ['Nationality', m.pid.nat],
    ['Date of birth', m.pid.dob],
    ['Valid from', m.vf],
    ['Valid until', m.vu],
    ['Entries', m.ne === 'M' ? 'Multiple' : String(m.ne)],
    ['Duration of each stay', `${m.dos} days`],
    ['Conditions', m.cond ?? '—'],
  ];
  rows.forEach(([k, v], i) => {
    const y = mm(245 - i * 9);
    page.drawText(k, { x: mm(20), y, size: 10, font });
    page.drawText(v, { x: mm(75), y, size: 11, font: bold });
  });
  const png = await doc.embedPng(await qrPng(sealTextValue, 8));
  page.drawImage(png, { x: mm(20), y: mm(60), width: mm(60), height: mm(60) });
  page.drawText('Scan this code with the department\'s verifier to confirm the visa is genuine.', { x: mm(20), y: mm(52), size: 9, font });
  return doc.save();
}

