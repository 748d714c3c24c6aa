import type { PassportConfig } from '../../config/sections/passport.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { Deduper } from '../scanner/dedupe.ts';
import { SerialScanner } from '../scanner/serial-scanner.ts';
import type { MrzReader } from './interface.ts';
import { ScannerMrzReader } from './scanner-mrz.ts';
import { SimulatedMrzReader } from './twin.ts';

export type { MrzRead, MrzReader, MrzReaderEvents } from './interface.ts';
export { MrzFramingError } from './interface.ts';
export { ScannerMrzReader } from './scanner-mrz.ts';
export { SimulatedMrzReader } from './twin.ts';

/** The MRZ reader the configuration names; constructing opens nothing (call start()). */
export function createMrzReader(config: Pick<PassportConfig, 'mrzReader' | 'mrzPairWindowMs'>, deps: { clock: Clock; log: Logger }): MrzReader {
  const c = config.mrzReader;
  if (c.kind === 'simulated') return new SimulatedMrzReader({ ...deps, pairWindowMs: config.mrzPairWindowMs });
  // An MRZ is never deduplicated: the same passport swiped twice is two presentations.
  const scanner = new SerialScanner(
    { kind: 'serial', port: c.port, baudRate: c.baudRate, suffix: c.suffix, gapMs: 500, name: `mrz:${c.port}` },
    { clock: deps.clock, log: deps.log, dedupe: new Deduper(0, deps.clock), maxLength: 256, reconnectBackoffMs: { min: 500, max: 10000 } },
  );
  return new ScannerMrzReader(scanner, deps.clock, config.mrzPairWindowMs);
}
