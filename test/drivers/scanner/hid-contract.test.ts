import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { readersSection } from '../../../config/sections/readers.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import { POS_DATA_BYTES, POS_REPORT_BYTES } from '../../../drivers/scanner/hid-pos-parser.ts';
import { HidScanner, type HidDevice, type HidScannerConfig } from '../../../drivers/scanner/hid-scanner.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { scannerContract } from './contract.ts';

/**
 * The HID driver with node-hid replaced at its one seam by a device that plays input
 * reports built to the HID POS layout (as a scanner sends them). This machine has no
 * /dev/uhid, so no kernel-level virtual HID device can be made; everything above the
 * node-hid call — report parsing, framing, validation, dedupe, unplug and reopen — runs.
 */
class ReportPlayer extends EventEmitter implements HidDevice {
  closed = false;
  async close(): Promise<void> {
    this.closed = true;
  }
}

function posReports(bytes: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off === 0 || off < bytes.length; off += POS_DATA_BYTES) {
    const part = bytes.subarray(off, off + POS_DATA_BYTES);
    const r = Buffer.alloc(POS_REPORT_BYTES);
    r[0] = 0x02;
    r[1] = part.length;
    r.write(']Q1', 2, 'latin1');
    r.set(part, 5);
    r[63] = off + POS_DATA_BYTES < bytes.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

scannerContract('HID POS (recorded-layout reports replayed through the driver)', [], async () => {
  const clock = new SimulatedClock();
  const readers = readersSection.parse({ scanners: [{ kind: 'hid', vendorId: 0x0c2e, productId: 0x0b61, mode: 'pos' }] });
  const config = readers.scanners[0] as HidScannerConfig;
  let plugged = true;
  let device: ReportPlayer | undefined;
  const scanner = new HidScanner(config, {
    clock,
    log: silentLogger(),
    dedupe: new Deduper(readers.dedupeMs, clock),
    maxLength: readers.maxLength,
    reconnectBackoffMs: readers.reconnectBackoffMs,
    async open() {
      if (!plugged) throw new Error('device not found');
      device = new ReportPlayer();
      return device;
    },
  });
  const play = async (bytes: Uint8Array) => {
    for (const r of posReports(bytes)) {
      await sleep(1); // reports arrive one USB interval apart, never in one burst
      device?.emit('data', r);
    }
  };
  return {
    scanner,
    clock,
    dedupeMs: readers.dedupeMs,
    maxLength: readers.maxLength,
    send: (text) => play(Buffer.from(text, 'utf8')),
    sendBytes: (bytes) => play(bytes),
    async unplug() {
      plugged = false;
      device?.emit('error', new Error('could not read from HID device'));
    },
    async plug() {
      plugged = true;
      for (let i = 0; i < 20 && scanner.faulted; i++) {
        clock.advance(readers.reconnectBackoffMs.max);
        await sleep(10);
      }
    },
    close: () => scanner.stop(),
  };
});
