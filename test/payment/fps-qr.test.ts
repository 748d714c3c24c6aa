import fc from 'fast-check';
import hkqr from 'hkqr-fps';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crcHex } from '../../kiosk/payment/crc16.ts';
import { FpsQrError } from '../../kiosk/payment/errors.ts';
import { decodeFpsQr, encodeFpsQr, type FpsQr } from '../../kiosk/payment/fps-qr.ts';
import { centsToDecimal, decimalToCents } from '../../kiosk/payment/money.ts';
import { propertyRun } from '../helpers/property.ts';

const { FPS, HKQR } = hkqr;
FPS.Silent();
HKQR.Silent();

const kioskCode: FpsQr = {
  dynamic: true,
  proxy: { kind: 'fps_id', value: '1234567' },
  mcc: '9399',
  currency: '344',
  amountCents: 12345,
  merchantName: 'IMMD',
  merchantCity: 'HK',
  billNumber: 'APP-0001',
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, FpsQrError, `not an FpsQrError: ${String(err)}`);
    return (err as FpsQrError).code;
  }
  throw new Error('expected an FpsQrError');
}

test('CRC-16/CCITT-FALSE check value', () => {
  assert.is(crcHex('123456789'), '29B1');
  assert.is(crcHex(''), 'FFFF');
});

test('money: integer cents to and from the QR decimal', () => {
  assert.is(centsToDecimal(1), '0.01');
  assert.is(centsToDecimal(12345), '123.45');
  assert.is(centsToDecimal(100000), '1000.00');
  assert.is(decimalToCents('123.4'), 12340);
  assert.is(decimalToCents('123'), 12300);
  assert.is(decimalToCents('0.10'), 10);
  for (const bad of ['1.', '.5', '-1', '1e3', '01', '1.234', '1,00', ' 1', '']) assert.is(decimalToCents(bad), undefined, bad);
});

test('a third-party published code decodes (12-digit id, reference label 62.05)', () => {
  const qr = decodeFpsQr('00020101021226320012hk.com.hkicl021299999999999952040000530334454031005802HK5902NA6002HK62110507QR123456304983E');
  assert.equal(qr, { dynamic: true, proxy: { kind: 'fps_id', value: '999999999999' }, mcc: '0000', currency: '344', amountCents: 10000, merchantName: 'NA', merchantCity: 'HK', referenceLabel: 'QR12345' });
});

test('the kiosk code is exactly what hkqr-fps generates for the same fields', () => {
  const f = new FPS();
  f.setDynamic();
  f.setFPSId('1234567');
  f.setAmount(123.45);
  f.setBillNumber('APP-0001');
  f.setHKD();
  const theirs = f.generate();
  assert.not.ok(theirs.isError(), theirs.message);
  const ours = encodeFpsQr({ ...kioskCode, mcc: '0000', merchantName: 'NA' });
  assert.is(ours, theirs.data);
});

let shortCrc = 0;
let misNested = 0;
/** MCCs hkqr-fps accepts (its list lacks some, e.g. 9399). */
const theirMcc = (m: string): boolean => !new HKQR().setMerchantCategory(m as never).isError();
const SUB = { fps_id: '02', mobile: '03', email: '04' } as const;

const proxyArb = fc.oneof(
  fc.stringMatching(/^(?:[0-9]{7}|[0-9]{9})$/).map((value) => ({ kind: 'fps_id' as const, value })),
  fc.stringMatching(/^[0-9]{8}$/).map((n) => ({ kind: 'mobile' as const, value: `+852-${n}` })),
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,10}(?:[._][a-z0-9]{1,8})?$/), fc.stringMatching(/^[a-z]{1,12}$/)).map(([u, d]) => ({ kind: 'email' as const, value: `${u}@${d}.hk` })),
);
const codeArb: fc.Arbitrary<FpsQr> = fc.record({
  dynamic: fc.constant(true),
  proxy: proxyArb,
  mcc: fc.stringMatching(/^[0-9]{4}$/).filter(theirMcc),
  currency: fc.constantFrom('344' as const, '156' as const),
  amountCents: fc.integer({ min: 1, max: 9_999_999 }),
  // hkqr-fps takes names and cities of A-z 0-9 . @ _ + - only (the spec allows any printable ASCII)
  merchantName: fc.stringMatching(/^[A-Za-z0-9.@_+-]{1,25}$/),
  merchantCity: fc.stringMatching(/^[A-Za-z0-9.@_+-]{1,15}$/),
  billNumber: fc.stringMatching(/^[A-Za-z0-9-]{1,25}$/),
});

/** hkqr-fps's generator, given the same fields. */
function theirEncode(code: FpsQr): string {
  const f = new HKQR();
  const setProxy = { fps_id: () => f.setMerchantAccountFPSId(code.proxy.value), mobile: () => f.setMerchantAccountMobile(code.proxy.value), email: () => f.setMerchantAccountEmail(code.proxy.value) }[code.proxy.kind];
  for (const r of [
    f.setInitiationPoint('12'),
    f.setMerchantAccountId('26'),
    f.setUniqueIdentifier('hk.com.hkicl'),
    setProxy(),
    f.setMerchantCategory(code.mcc as never),
    f.setTransactionCurrency(code.currency === '344' ? 'HKD' : 'CNY'),
    f.setTransactionAmount(centsToDecimal(code.amountCents!)),
    f.setMerchantName(code.merchantName),
    f.setMerchantCity(code.merchantCity),
    f.setBillNumber(code.billNumber!),
  ]) assert.not.ok(r.isError(), r.message);
  const out = f.generate();
  assert.not.ok(out.isError(), out.message);
  return out.data as string;
}

test('both ways with hkqr-fps: same text from both encoders, each decodes the other (property)', () => {
  fc.assert(
    fc.property(codeArb, (code) => {
      const ours = encodeFpsQr(code);
      const theirs = theirEncode(code);
      const m = /63(0[1-3])([0-9A-F]{1,3})$/.exec(theirs);
      const short = m !== null && Number(m[1]) === m[2]!.length;
      // hkqr-fps writes 18040.00 as "18040" and 0.10 as "0.1" (both valid): the texts are equal byte for byte otherwise
      const sameText = code.amountCents! % 10 !== 0;
      if (short) {
        // hkqr-fps drops a CRC's leading zeros (ID 63 of length 03, 02…): the spec's is 4 hex digits
        if (sameText) assert.is(ours, `${theirs.slice(0, -(4 + m![2]!.length))}6304${m![2]!.padStart(4, '0')}`);
        assert.is(codeOf(() => decodeFpsQr(theirs)), 'QR_BAD_FIELD');
        shortCrc++;
      } else {
        if (sameText) assert.is(ours, theirs);
        assert.equal(decodeFpsQr(theirs), { ...code });
      }
      const ev = new HKQR().parse(ours);
      if (short) {
        assert.ok(ev.isError() && /CRC/.test(ev.message ?? ""), 'hkqr-fps refuses a correct CRC with a leading zero');
        return;
      }
      assert.not.ok(ev.isError(), `hkqr-fps refused our code: ${ev.message}`);
      const d = ev.data as Record<string, unknown> & { 26: Record<string, unknown>; 62?: Record<string, unknown> };
      const leaves = [d[26][SUB[code.proxy.kind]], d[62]?.['01'], d['52'], d['54'], d['59'], d['60']];
      if (leaves.some((v) => typeof v !== 'string')) {
        // its decoder re-parses a value that happens to look like TLV ("0003000") as a nested template
        misNested++;
        return;
      }
      assert.equal(
        { poi: d['01'], account: d[26], mcc: d['52'], currency: d['53'], amount: d['54'], country: d['58'], name: d['59'], city: d['60'], bill: d[62]?.["01"] },
        { poi: '12', account: { '00': 'hk.com.hkicl', [SUB[code.proxy.kind]]: code.proxy.value }, mcc: code.mcc, currency: code.currency, amount: centsToDecimal(code.amountCents!), country: 'HK', name: code.merchantName, city: code.merchantCity, bill: code.billNumber },
      );
    }),
    propertyRun('fps qr cross-check with hkqr-fps', { numRuns: 300, includeErrorInReport: true }),
  );
  console.log(`hkqr-fps cross-check: 300 codes; ${shortCrc} with a CRC below 0x1000 (hkqr-fps drops the leading zeros and refuses the spec's 4 digits), ${misNested} that its decoder mis-nests`);
});

test('garbage gets a typed error, never another exception', () => {
  const good = encodeFpsQr(kioskCode);
  assert.is(codeOf(() => decodeFpsQr('')), 'QR_EMPTY');
  assert.is(codeOf(() => decodeFpsQr('x'.repeat(513))), 'QR_TOO_LONG');
  assert.is(codeOf(() => decodeFpsQr(good.replace('IMMD', 'IMMÐ'))), 'QR_CHARSET');
  assert.is(codeOf(() => decodeFpsQr(good.slice(0, -1))), 'QR_SYNTAX');
  assert.is(codeOf(() => decodeFpsQr(good.slice(0, -8))), 'QR_CRC_MISSING');
  assert.is(codeOf(() => decodeFpsQr(good.slice(0, -4) + '0000')), 'QR_CRC_MISMATCH');
  assert.is(codeOf(() => decodeFpsQr(good.replace('123.45', '923.45'))), 'QR_CRC_MISMATCH');
  const body = (s: string): string => `${s}6304${crcHex(`${s}6304`)}`;
  const core = '000201010212';
  const acct = '26270012hk.com.hkicl02071234567';
  assert.is(codeOf(() => decodeFpsQr(body(`${core}${acct}520400005303344540612.3455802HK5902NA6002HK`))), 'QR_BAD_FIELD'); // 3 decimals
  assert.is(codeOf(() => decodeFpsQr(body(`${core}${acct}520400005303344`))), 'QR_MISSING_FIELD');
  assert.is(codeOf(() => decodeFpsQr(body(`${core}${acct}${acct}`))), 'QR_DUPLICATE_ID');
  assert.is(codeOf(() => decodeFpsQr(body(`${core}26150011com.example5204000053033445802HK5902NA6002HK`))), 'QR_NOT_FPS');
  assert.is(codeOf(() => decodeFpsQr(body(`${core}${acct}52050000053033445802HK5902NA6002HK`))), 'QR_BAD_FIELD'); // MCC length 5
  assert.is(codeOf(() => decodeFpsQr(body(`${core}26400012hk.com.hkicl02071234567030b+852-123456785204000053033445802HK5902NA6002HK`))), 'QR_SYNTAX');
  assert.is(codeOf(() => decodeFpsQr(body(`0102120002012627`))), 'QR_SYNTAX'); // 00 not first
});

test('every truncation and every one-character change of a good code is refused with a typed error', () => {
  const good = encodeFpsQr(kioskCode);
  for (let n = 0; n < good.length; n++) codeOf(() => decodeFpsQr(good.slice(0, n) || ''));
  for (let i = 0; i < good.length; i++) {
    const c = good[i] === '7' ? '8' : '7';
    codeOf(() => decodeFpsQr(good.slice(0, i) + c + good.slice(i + 1)));
  }
});

test('random strings: a typed error or a valid code, never a crash (property)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 600 }), fc.stringMatching(/^[0-9A-Za-z.]{0,300}$/)), (s) => {
      try {
        decodeFpsQr(s);
      } catch (err) {
        assert.instance(err, FpsQrError);
      }
    }),
    propertyRun('fps qr garbage', { numRuns: 2000 }),
  );
});

test('the encoder refuses what the format cannot carry', () => {
  assert.is(codeOf(() => encodeFpsQr({ ...kioskCode, amountCents: 12.5 })), 'QR_BAD_FIELD');
  assert.is(codeOf(() => encodeFpsQr({ ...kioskCode, proxy: { kind: 'fps_id', value: '12345678' } })), 'QR_BAD_FIELD');
  assert.is(codeOf(() => encodeFpsQr({ ...kioskCode, merchantName: 'x'.repeat(26) })), 'QR_BAD_FIELD');
  const { billNumber: _b, ...noBill } = kioskCode;
  assert.is(codeOf(() => encodeFpsQr(noBill)), 'QR_BAD_FIELD');
  const { amountCents: _a, ...noAmount } = kioskCode;
  assert.is(codeOf(() => encodeFpsQr(noAmount)), 'QR_BAD_FIELD');
});

test.run();
