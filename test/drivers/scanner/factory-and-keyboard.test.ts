import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readersSection } from '../../../config/sections/readers.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import { HidScanner, type HidDevice, type HidScannerConfig } from '../../../drivers/scanner/hid-scanner.ts';
import { createScanners, SimulatedScanner } from '../../../drivers/scanner/index.ts';
import type { ScanError, TokenRead } from '../../../drivers/scanner/interface.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../kiosk/log.ts';

test('createScanners: one scanner per entry, unique names, one dedupe window across scanners', async () => {
  const clock = new SimulatedClock();
  const config = readersSection.parse({ scanners: [{ kind: 'simulated' }, { kind: 'simulated' }, { kind: 'simulated', name: 'kiosk-low' }] });
  const scanners = createScanners(config, { clock, log: silentLogger() });
  assert.equal(scanners.map((s) => s.name), ['sim-scanner', 'sim-scanner-2', 'kiosk-low']);
  const reads: TokenRead[] = [];
  for (const s of scanners) {
    s.on('read', (r) => reads.push(r));
    await s.start();
  }
  const [a, b] = scanners as SimulatedScanner[];
  a?.scan('HKMQ1:SAME');
  b?.scan('HKMQ1:SAME'); // the same phone seen by the second scanner
  await sleep(5);
  assert.is(reads.length, 1);
  for (const s of scanners) await s.stop();
});

// Keyboard-wedge reports (usage page 0x07) replayed through the HID driver.
class ReportPlayer extends EventEmitter implements HidDevice {
  async close(): Promise<void> {}
}
const KEYS: Record<string, [number, number]> = { H: [0x02, 0x0b], K: [0x02, 0x0e], M: [0x02, 0x10], Q: [0x02, 0x14], '1': [0, 0x1e], ':': [0x02, 0x33], A: [0x02, 0x04], '\n': [0, 0x28] };
function typed(text: string): Buffer[] {
  return [...text].flatMap((ch) => {
    const k = KEYS[ch];
    if (!k) throw new Error(`no key for ${ch}`);
    return [Buffer.from([k[0], 0, k[1], 0, 0, 0, 0, 0]), Buffer.alloc(8)];
  });
}

test('HID keyboard wedge: typed code + Enter is a read; typing that stops mid-code is SCAN_FRAMING', async () => {
  const clock = new SimulatedClock();
  const readers = readersSection.parse({ scanners: [{ kind: 'hid', vendorId: 1, productId: 2, mode: 'keyboard', keyboardLayout: 'uk' }] });
  const device = new ReportPlayer();
  const scanner = new HidScanner(readers.scanners[0] as HidScannerConfig, {
    clock,
    log: silentLogger(),
    dedupe: new Deduper(2000, clock),
    maxLength: 4096,
    reconnectBackoffMs: readers.reconnectBackoffMs,
    open: async () => device,
  });
  const reads: string[] = [];
  const errors: ScanError[] = [];
  scanner.on('read', (r) => reads.push(r.text));
  scanner.on('error', (e) => errors.push(e));
  await scanner.start();
  for (const r of typed('HKMQ1:AA\n')) device.emit('data', r);
  assert.equal(reads, ['HKMQ1:AA']);
  for (const r of typed('HKMQ1:')) device.emit('data', r);
  clock.advance(500);
  assert.equal(errors.map((e) => e.code), ['SCAN_FRAMING']);
  device.emit('data', Buffer.from([0, 0, 4, 0, 0, 0, 0])); // 7-byte report
  assert.equal(errors.map((e) => e.code), ['SCAN_FRAMING', 'SCAN_FRAMING']);
  await scanner.stop();
});

test.run();
