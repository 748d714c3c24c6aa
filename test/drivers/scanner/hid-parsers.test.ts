import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyboardReportParser } from '../../../drivers/scanner/hid-keyboard-parser.ts';
import { PosReportParser, type PosResult } from '../../../drivers/scanner/hid-pos-parser.ts';
import { HONEYWELL_REVINF_REPORTS } from './fixtures/honeywell-pos.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const text = (r: PosResult | undefined): string => (r?.kind === 'scan' ? Buffer.from(r.data).toString('utf8') : `<${r?.kind}:${r?.kind === 'error' ? r.code : ''}>`);
const zeros = (n: number): string => '00 '.repeat(n);

// ---- HID POS (usage page 0x8C) -------------------------------------------------------
// Constructed from the scanned-data report layout: id 02, length, AIM "]Q1", 56 data
// bytes, 2 vendor bytes, continued flag in byte 63.
const POS_SINGLE =
  '02 08 5d 51 31 ' + // id, 8 bytes, ]Q1
  '48 4b 4d 51 31 3a 41 42 ' + // "HKMQ1:AB"
  zeros(48) +
  '00 00 00'; // vendor, vendor, not continued

const POS_SPLIT = [
  '02 38 5d 51 31 ' + '41 '.repeat(56) + '00 00 01', // 56 × "A", continued
  '02 38 5d 51 31 ' + '42 '.repeat(56) + '00 00 01', // 56 × "B", continued
  '02 03 5d 51 31 ' + '43 43 43 ' + zeros(53) + '00 00 00', // "CCC", last
];

test('POS: one report, one scan, with its AIM symbology identifier', () => {
  const p = new PosReportParser({ maxLength: 4096 });
  const out = p.push(hex(POS_SINGLE));
  assert.is(out.length, 1);
  assert.is(text(out[0]), 'HKMQ1:AB');
  assert.is(out[0]?.kind === 'scan' && out[0].symbology, ']Q1');
});

test('POS: a code spanning reports is joined at the first report without the continued bit', () => {
  const p = new PosReportParser({ maxLength: 4096 });
  assert.equal(p.push(hex(POS_SPLIT[0] ?? '')), []);
  assert.equal(p.push(hex(POS_SPLIT[1] ?? '')), []);
  const out = p.push(hex(POS_SPLIT[2] ?? ''));
  assert.is(text(out[0]), 'A'.repeat(56) + 'B'.repeat(56) + 'CCC');
});

test('POS: recorded Honeywell reports give two messages, the first across six reports', () => {
  const p = new PosReportParser({ maxLength: 4096 });
  const out = HONEYWELL_REVINF_REPORTS.flatMap((r) => p.push(hex(r)));
  assert.is(out.length, 2);
  const first = text(out[0]);
  assert.is(first.length, 5 * 56 + 9);
  assert.ok(first.startsWith('Product Name: Voyager 1602g\r\n'));
  assert.ok(first.endsWith('Checksum: N/A\r\n'));
  assert.is(out[0]?.kind === 'scan' && out[0].symbology, ']X0');
  assert.is(text(out[1]), 'REVINF\u0006.');
  assert.is(out[1]?.kind === 'scan' && out[1].symbology, ']Z6');
});

test('POS: reports with another id (status, attributes) are ignored', () => {
  const p = new PosReportParser({ maxLength: 4096 });
  assert.equal(p.push(hex('04 01 ' + zeros(62))), []);
  assert.is(text(p.push(hex(POS_SINGLE))[0]), 'HKMQ1:AB');
});

test('POS: a malformed report is SCAN_FRAMING and drops the scan in progress', () => {
  const p = new PosReportParser({ maxLength: 4096 });
  p.push(hex(POS_SPLIT[0] ?? ''));
  const bad = p.push(hex('02 39 5d 51 31 ' + zeros(59))); // length 57 > 56
  assert.is(text(bad[0]), '<error:SCAN_FRAMING>');
  assert.is(text(p.push(hex('02 08 5d 51 31'))[0]), '<error:SCAN_FRAMING>'); // truncated report
  assert.is(text(p.push(hex(POS_SINGLE))[0]), 'HKMQ1:AB', 'the A-run did not leak into the next scan');
});

test('POS: oversize is reported once, the rest of that code is dropped, the next code reads', () => {
  const p = new PosReportParser({ maxLength: 100 });
  const out = POS_SPLIT.flatMap((r) => p.push(hex(r)));
  assert.equal(out.map((r) => text(r)), ['<error:SCAN_OVERSIZE>']);
  assert.is(text(p.push(hex(POS_SINGLE))[0]), 'HKMQ1:AB');
});

// ---- Keyboard wedge (usage page 0x07) ------------------------------------------------
// Boot reports: modifiers (02 = left shift, 20 = right shift, 01 = left ctrl), reserved, 6 keys.
const typeAll = (p: KeyboardReportParser, reports: string[]): string => reports.map((r) => p.push(hex(r))).join('');
const UP = '00 00 00 00 00 00 00 00';

const AB_AT_1_ENTER = [
  '02 00 04 00 00 00 00 00', UP, // Shift+a
  '00 00 05 00 00 00 00 00', UP, // b
  '20 00 1f 00 00 00 00 00', UP, // right Shift+2
  '00 00 1e 00 00 00 00 00', UP, // 1
  '00 00 28 00 00 00 00 00', UP, // Enter
];

test('keyboard: shift, key-up reports and Enter (us)', () => {
  assert.is(typeAll(new KeyboardReportParser('us'), AB_AT_1_ENTER), 'Ab@1\n');
});

test('keyboard: the same usages mean other characters on a uk scanner', () => {
  assert.is(typeAll(new KeyboardReportParser('uk'), AB_AT_1_ENTER), 'Ab"1\n');
  const ukOnly = [
    '02 00 34 00 00 00 00 00', UP, // Shift+' → @
    '02 00 20 00 00 00 00 00', UP, // Shift+3 → £
    '00 00 32 00 00 00 00 00', UP, // ISO key beside Enter → #
    '00 00 64 00 00 00 00 00', UP, // ISO key beside left Shift → \
  ];
  assert.is(typeAll(new KeyboardReportParser('uk'), ukOnly), '@£#\\');
  assert.is(typeAll(new KeyboardReportParser('us'), ukOnly), '"#\\\ufffd');
});

test('keyboard: a doubled letter needs a release; a held key does not repeat', () => {
  const p = new KeyboardReportParser('us');
  assert.is(typeAll(p, ['00 00 0f 00 00 00 00 00', UP, '00 00 0f 00 00 00 00 00', UP]), 'll');
  assert.is(typeAll(p, ['00 00 0f 00 00 00 00 00', '00 00 0f 00 00 00 00 00', UP]), 'l');
});

test('keyboard: several new keys in one report type in order; a key still down is not retyped', () => {
  const p = new KeyboardReportParser('us');
  assert.is(typeAll(p, ['00 00 0f 12 00 00 00 00', '00 00 12 00 00 00 00 00', '00 00 12 0b 00 00 00 00', UP]), 'loh');
});

test('keyboard: a rollover-error report keeps the previous state', () => {
  const p = new KeyboardReportParser('us');
  assert.is(typeAll(p, ['00 00 04 00 00 00 00 00', '00 00 01 01 01 01 01 01', '00 00 04 00 00 00 00 00', UP]), 'a');
});

test('keyboard: base45 token characters are the same on us and uk', () => {
  // "$%*+-./: " — Shift+4, Shift+5, Shift+8, Shift+=, -, ., /, Shift+;, space
  const r = ['02 00 21', '02 00 22', '02 00 25', '02 00 2e', '00 00 2d', '00 00 37', '00 00 38', '02 00 33', '00 00 2c'].flatMap((k) => [`${k} 00 00 00 00 00`, UP]);
  assert.is(typeAll(new KeyboardReportParser('us'), r), '$%*+-./: ');
  assert.is(typeAll(new KeyboardReportParser('uk'), r), '$%*+-./: ');
});

test('keyboard: Ctrl+key types a control character, unknown keys U+FFFD (both refused later as garbage)', () => {
  const p = new KeyboardReportParser('us');
  assert.is(typeAll(p, ['01 00 30 00 00 00 00 00', UP, '00 00 3a 00 00 00 00 00', UP]), '\u001d\ufffd');
});

test('keyboard: a report that is not 8 bytes is refused', () => {
  assert.throws(() => new KeyboardReportParser('us').push(hex('00 00 04 00 00 00 00')), RangeError);
});

test.run();
