import type { PrinterConfig } from '../../config/sections/printer.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { ReceiptPrinter } from './interface.ts';
import { SerialPrinter } from './serial-printer.ts';
import { SimulatedPrinter } from './twin.ts';

export type { PaperState, PrinterErrorCode, PrinterStatus, ReceiptPrinter } from './interface.ts';
export { PrinterError } from './interface.ts';
export { SerialPrinter } from './serial-printer.ts';
export { SimulatedPrinter } from './twin.ts';

/** The configured receipt printer, real or simulated; constructing opens nothing. */
export function createPrinter(config: PrinterConfig, deps: { clock: Clock; log: Logger }): ReceiptPrinter {
  if (config.driver === 'serial') {
    return new SerialPrinter(
      { name: config.name, port: config.port ?? '', baudRate: config.baudRate, rtscts: config.rtscts, statusTimeoutMs: config.statusTimeoutMs },
      { clock: deps.clock, log: deps.log.child({ part: 'printer' }) },
    );
  }
  return new SimulatedPrinter({ name: config.name, statusTimeoutMs: config.statusTimeoutMs }, { clock: deps.clock });
}
