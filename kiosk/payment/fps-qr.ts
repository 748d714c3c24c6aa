import { crcHex } from './crc16.ts';
import { parseTlv, tlv, isPrintableAscii, type DataObject } from './emv-tlv.ts';
import { FpsQrError } from './errors.ts';
import { centsToDecimal, decimalToCents, MAX_CENTS, type Cents } from './money.ts';

/**
 * The FPS merchant-presented QR of the Hong Kong Common QR Code specification (HKICL),
 * an EMVCo MPM payload: 00 format "01", 01 point of initiation ("11" static, "12" dynamic:
 * one bill, one amount), 26 the FPS merchant account template (00 GUID "hk.com.hkicl",
 * 01 participant clearing code, then exactly one proxy: 02 FPS id, 03 mobile, 04 email),
 * 52 MCC, 53 currency (344 HKD, 156 CNY), 54 amount, 58 "HK", 59 name, 60 city,
 * 62 additional data (01 bill number, 05 reference label), 63 CRC-16/CCITT-FALSE.
 */
export const FPS_GUID = 'hk.com.hkicl';
export const MAX_PAYLOAD = 512;

export type FpsProxy = { kind: 'fps_id' | 'mobile' | 'email'; value: string };

export interface FpsQr {
  /** Point of initiation 12: a code for one payment, shown by the kiosk for one application. */
  dynamic: boolean;
  /** 3-digit clearing code of the receiving bank or SVF (26.01), when the merchant names it. */
  participant?: string;
  proxy: FpsProxy;
  mcc: string;
  currency: '344' | '156';
  /** Required in a dynamic code. */
  amountCents?: Cents;
  merchantName: string;
  merchantCity: string;
  /** 62.01: the kiosk's bill reference; the acquirer's notification echoes it. */
  billNumber?: string;
  /** 62.05 */
  referenceLabel?: string;
}

const PROXY_IDS = { fps_id: '02', mobile: '03', email: '04' } as const;
const PROXY_FORMS: Record<FpsProxy['kind'], RegExp> = {
  fps_id: /^(?:[0-9]{7}|[0-9]{9})$/,
  mobile: /^\+[0-9]{1,3}-[0-9]{4,14}$/,
  email: /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,63}\.[A-Za-z]{2,24}$/,
};
/** ID → [min, max] length of the fields this codec knows (EMVCo MPM 1.1 table 3.x). */
const LENGTHS: Record<string, [number, number]> = {
  '00': [2, 2], '01': [2, 2], '26': [1, 99], '52': [4, 4], '53': [3, 3], '54': [1, 13], '58': [2, 2],
  '59': [1, 25], '60': [1, 15], '61': [1, 10], '62': [1, 99], '63': [4, 4], '64': [1, 99],
};
/** HKICL assigns 7-digit (personal) and 9-digit (merchant) FPS ids; codes from other generators carry up to 12 digits. */
const FOREIGN_FPS_ID = /^[0-9]{7,12}$/;
const REF = /^[\x20-\x7e]{1,25}$/;

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new FpsQrError('QR_BAD_FIELD', message, field);
}

/** `ownCode`: the kiosk's own dynamic codes always name their bill (others' need not). */
function validate(qr: FpsQr, ownCode: boolean): void {
  const form = !ownCode && qr.proxy.kind === 'fps_id' ? FOREIGN_FPS_ID : PROXY_FORMS[qr.proxy.kind];
  check(form?.test(qr.proxy.value) ?? false, `26.${PROXY_IDS[qr.proxy.kind] ?? '??'}`, `not a valid ${qr.proxy.kind}`);
  if (qr.participant !== undefined) check(/^[0-9]{3}$/.test(qr.participant), '26.01', 'participant code is 3 digits');
  check(/^[0-9]{4}$/.test(qr.mcc), '52', 'MCC is 4 digits');
  check(qr.currency === '344' || qr.currency === '156', '53', 'currency is 344 (HKD) or 156 (CNY)');
  if (qr.amountCents !== undefined) {
    check(Number.isSafeInteger(qr.amountCents) && qr.amountCents > 0 && qr.amountCents <= MAX_CENTS, '54', 'amount is integer cents, 1 to MAX_CENTS');
  }
  check(!qr.dynamic || qr.amountCents !== undefined, '54', 'a dynamic code carries the amount');
  check(qr.merchantName.length >= 1 && qr.merchantName.length <= 25 && isPrintableAscii(qr.merchantName), '59', 'name is 1–25 printable ASCII');
  check(qr.merchantCity.length >= 1 && qr.merchantCity.length <= 15 && isPrintableAscii(qr.merchantCity), '60', 'city is 1–15 printable ASCII');
  if (qr.billNumber !== undefined) check(REF.test(qr.billNumber), '62.01', 'bill number is 1–25 printable ASCII');
  if (qr.referenceLabel !== undefined) check(REF.test(qr.referenceLabel), '62.05', 'reference label is 1–25 printable ASCII');
  check(!ownCode || !qr.dynamic || qr.billNumber !== undefined, '62.01', 'a dynamic kiosk code names its bill');
}

/** Builds the payload text to render as a QR code. Throws FpsQrError on a field the format cannot carry. */
export function encodeFpsQr(qr: FpsQr): string {
  validate(qr, true);
  const account =
    tlv('00', FPS_GUID) + (qr.participant ? tlv('01', qr.participant) : '') + tlv(PROXY_IDS[qr.proxy.kind], qr.proxy.value);
  const extra = (qr.billNumber ? tlv('01', qr.billNumber) : '') + (qr.referenceLabel ? tlv('05', qr.referenceLabel) : '');
  const body =
    tlv('00', '01') + tlv('01', qr.dynamic ? '12' : '11') + tlv('26', account) + tlv('52', qr.mcc) + tlv('53', qr.currency) +
    (qr.amountCents !== undefined ? tlv('54', centsToDecimal(qr.amountCents)) : '') +
    tlv('58', 'HK') + tlv('59', qr.merchantName) + tlv('60', qr.merchantCity) + (extra ? tlv('62', extra) : '') + '6304';
  const text = body + crcHex(body);
  if (text.length > MAX_PAYLOAD) throw new FpsQrError('QR_TOO_LONG', `payload of ${text.length} characters exceeds ${MAX_PAYLOAD}`);
  return text;
}

function need(map: Map<string, string>, id: string, where = ''): string {
  const v = map.get(id);
  if (v === undefined) throw new FpsQrError('QR_MISSING_FIELD', 'required and absent', `${where}${id}`);
  return v;
}

function decodeAccount(objects: DataObject[]): Pick<FpsQr, 'participant' | 'proxy'> | undefined {
  const t = objects.find((o) => o.id === '26');
  if (!t) return undefined;
  const sub = new Map(parseTlv(t.value, '26.').map((o) => [o.id, o.value]));
  if (sub.get('00') !== FPS_GUID) return undefined;
  const kinds = (Object.keys(PROXY_IDS) as FpsProxy['kind'][]).filter((k) => sub.has(PROXY_IDS[k]));
  if (kinds.length !== 1) throw new FpsQrError('QR_BAD_FIELD', `needs exactly one of FPS id, mobile, email (found ${kinds.length})`, '26');
  const kind = kinds[0]!;
  const participant = sub.get('01');
  return { proxy: { kind, value: sub.get(PROXY_IDS[kind])! }, ...(participant !== undefined ? { participant } : {}) };
}

/**
 * Parses a scanned payload, strictly: printable ASCII, at most 512 characters, TLV syntax,
 * "00" first and "63" last, the CRC, every known field's length and form. Unknown IDs
 * (other schemes' templates, RFU) are skipped as EMVCo requires; a code without the FPS
 * template is QR_NOT_FPS. Returns the same shape `encodeFpsQr` takes.
 */
export function decodeFpsQr(text: string): FpsQr {
  if (typeof text !== 'string' || text.length === 0) throw new FpsQrError('QR_EMPTY', 'no payload');
  if (text.length > MAX_PAYLOAD) throw new FpsQrError('QR_TOO_LONG', `payload longer than ${MAX_PAYLOAD} characters`);
  if (!isPrintableAscii(text)) throw new FpsQrError('QR_CHARSET', 'payload is not printable ASCII');
  const objects = parseTlv(text);
  if (objects[0]?.id !== '00') throw new FpsQrError('QR_SYNTAX', 'payload format indicator must come first', '00');
  const last = objects[objects.length - 1];
  if (last?.id !== '63') throw new FpsQrError('QR_CRC_MISSING', 'the CRC must be the last data object', '63');
  if (!/^[0-9A-Fa-f]{4}$/.test(last.value)) throw new FpsQrError('QR_BAD_FIELD', 'CRC is 4 hex digits', '63');
  if (last.value.toUpperCase() !== crcHex(text.slice(0, -4))) throw new FpsQrError('QR_CRC_MISMATCH', 'CRC does not match the payload', '63');
  for (const o of objects) {
    const b = LENGTHS[o.id];
    if (b && (o.value.length < b[0] || o.value.length > b[1])) throw new FpsQrError('QR_BAD_FIELD', `length ${o.value.length} outside ${b[0]}–${b[1]}`, o.id);
  }
  const map = new Map(objects.map((o) => [o.id, o.value]));
  check(need(map, '00') === '01', '00', 'payload format indicator is "01"');
  const poi = map.get('01');
  check(poi === undefined || poi === '11' || poi === '12', '01', 'point of initiation is 11 or 12');
  const account = decodeAccount(objects);
  if (!account) throw new FpsQrError('QR_NOT_FPS', 'no FPS merchant account template (26 with hk.com.hkicl)');
  const amountText = map.get('54');
  const amountCents = amountText === undefined ? undefined : decimalToCents(amountText);
  check(amountText === undefined || amountCents !== undefined, '54', 'amount is digits with an optional "." and up to 2 decimals');
  check(need(map, '58') === 'HK', '58', 'country code is HK');
  const extra = map.has('62') ? new Map(parseTlv(map.get('62')!, '62.').map((o) => [o.id, o.value])) : new Map<string, string>();
  const qr: FpsQr = {
    dynamic: poi === '12',
    ...account,
    mcc: need(map, '52'),
    currency: need(map, '53') as FpsQr['currency'],
    ...(amountCents !== undefined ? { amountCents } : {}),
    merchantName: need(map, '59'),
    merchantCity: need(map, '60'),
    ...(extra.has('01') ? { billNumber: extra.get('01')! } : {}),
    ...(extra.has('05') ? { referenceLabel: extra.get('05')! } : {}),
  };
  validate(qr, false);
  return qr;
}
