import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { printerSection } from '../../config/sections/printer.ts';
import { line, raster, size } from '../../drivers/printer/escpos.ts';
import { PrinterModel } from '../../drivers/printer/printer-model.ts';
import { decodeStatus, isStatusByte, statusReply } from '../../drivers/printer/status-bytes.ts';

test('slip text cannot carry printer commands; sizes outside 1..8 are refused', () => {
  assert.throws(() => line('ENR\x1b@'), /control characters/);
  assert.throws(() => line('a\nb'), /control characters/);
  assert.throws(() => size(0, 1), /1\.\.8/);
  assert.equal(size(2, 3), Uint8Array.of(0x1d, 0x21, 0x12));
  assert.equal(line('OK'), Uint8Array.of(0x4f, 0x4b, 0x0a));
});

test('raster rows are ceil(width/8) bytes, leftmost dot in the high bit', () => {
  const img = raster({ width: 9, height: 1, dark: (x) => x === 0 || x === 8 });
  assert.equal(img, Uint8Array.of(0x1d, 0x76, 0x30, 0, 2, 0, 1, 0, 0x80, 0x80));
});

test('status bytes: every reply has the fixed bits; round trip of each state', () => {
  for (const paper of ['ok', 'near-end', 'out'] as const) {
    for (const coverOpen of [false, true]) {
      const online = !coverOpen && paper !== 'out';
      const s = { online, paper, coverOpen };
      const bytes = [1, 2, 4].map((n) => statusReply(n, s));
      assert.ok(bytes.every(isStatusByte));
      assert.equal(decodeStatus(bytes[0]!, bytes[1]!, bytes[2]!), s);
    }
  }
  assert.not.ok(isStatusByte(0x0a));
});

test('the printer model does not take a DLE EOT inside image data for a query', () => {
  const m = new PrinterModel();
  const img = raster({ width: 16, height: 1, dark: (x) => [3, 13, 14, 15].includes(x) }); // data bytes 0x10 0x07
  const withQuery = Uint8Array.of(...img.slice(0, 8), 0x10, 0x04, 0x10, 0x04, 0x01);
  assert.is(m.receive(withQuery).length, 1); // only the real query after the image
  assert.is(m.queries, 1);
  assert.is(m.unknown, 0);
});

test('config: a serial printer needs its port; unknown keys are errors', () => {
  assert.is(printerSection.parse({}).driver, 'simulated');
  assert.not.ok(printerSection.safeParse({ driver: 'serial' }).success);
  assert.not.ok(printerSection.safeParse({ colour: true }).success);
  assert.is(printerSection.parse({ driver: 'serial', port: '/dev/ttyS0' }).baudRate, 115200);
});

test.run();
