import type { Clock } from '../../core/clock.ts';
import type { DocumentScanner } from './interface.ts';
import { SaneScanner } from './sane-scanner.ts';
import { DocumentScannerTwin } from './twin.ts';

export type { DocumentScanner, Scan, ScanRequest } from './interface.ts';
export { ScannerError, GLASS_MM } from './interface.ts';
export { DocumentScannerTwin, type PlacedPrint } from './twin.ts';
export { SaneScanner } from './sane-scanner.ts';

/** The configured scanner: SANE through scanimage, or the twin. */
export function createDocumentScanner(config: { driver: 'sane' | 'simulated'; device: string; timeoutMs: number }, clock: Clock): DocumentScanner {
  return config.driver === 'sane' ? new SaneScanner({ device: config.device, timeoutMs: config.timeoutMs }, clock) : new DocumentScannerTwin(clock, config.timeoutMs);
}
