import { SimulatedClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import { SimulatedScanner } from '../../../drivers/scanner/twin.ts';
import { scannerContract } from './contract.ts';

scannerContract('simulated twin', [], async () => {
  const clock = new SimulatedClock();
  const dedupeMs = 2000;
  const maxLength = 4096;
  const scanner = new SimulatedScanner({ name: 'sim-1' }, { clock, log: silentLogger(), dedupe: new Deduper(dedupeMs, clock), maxLength });
  return {
    scanner,
    clock,
    dedupeMs,
    maxLength,
    async send(text) {
      scanner.scan(text);
    },
    async sendBytes(bytes) {
      scanner.scanBytes(bytes);
    },
    async unplug() {
      scanner.unplug();
    },
    async plug() {
      scanner.plug();
    },
    close: () => scanner.stop(),
  };
});
