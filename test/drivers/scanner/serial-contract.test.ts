import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readersSection } from '../../../config/sections/readers.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import { SerialScanner, type SerialScannerConfig } from '../../../drivers/scanner/serial-scanner.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { scannerContract } from './contract.ts';
import { ScannerCable } from './scanner-pty.ts';

scannerContract('serial through a socat pty', ['socat'], async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-scan-'));
  const cable = new ScannerCable(dir);
  await cable.plug();
  const clock = new SimulatedClock();
  const readers = readersSection.parse({ scanners: [{ kind: 'serial', port: cable.port, suffix: '\r\n' }] });
  const config = readers.scanners[0] as SerialScannerConfig;
  const scanner = new SerialScanner(config, {
    clock,
    log: silentLogger(),
    dedupe: new Deduper(readers.dedupeMs, clock),
    maxLength: readers.maxLength,
    reconnectBackoffMs: readers.reconnectBackoffMs,
  });
  return {
    scanner,
    clock,
    dedupeMs: readers.dedupeMs,
    maxLength: readers.maxLength,
    send: (text) => cable.write(`${text}\r\n`),
    sendBytes: (bytes) => cable.write(Buffer.concat([bytes, Buffer.from('\r\n')])),
    unplug: () => cable.unplug(),
    async plug() {
      await cable.plug();
      // The driver retries on its back-off; step the Clock until one attempt finds the port.
      for (let i = 0; i < 20 && scanner.faulted; i++) {
        clock.advance(readers.reconnectBackoffMs.max);
        await sleep(50);
      }
    },
    async close() {
      await scanner.stop();
      await cable.unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
