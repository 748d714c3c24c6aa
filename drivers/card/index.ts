import type { ReadersConfig } from '../../config/sections/readers.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { Deduper } from '../scanner/dedupe.ts';
import type { CardReader } from './interface.ts';
import { PcscCardReader } from './pcsc-card.ts';
import { SimulatedCardReader } from './twin.ts';

export { PcscCardReader } from './pcsc-card.ts';
export type { CardRead, CardReader, CardReaderEvents } from './interface.ts';
export { SimulatedCardReader } from './twin.ts';

/**
 * The configured card reader: the smart identity card on PC/SC (smart-id.md) or the
 * simulated twin. The PC/SC addon is loaded here, so a gate whose addon is missing refuses
 * to start (PCSC_UNAVAILABLE, naming the fix). Pass `dedupe` to share the window with the scanners.
 */
export function createCardReader(config: ReadersConfig, deps: { clock: Clock; log: Logger; dedupe?: Deduper }): CardReader {
  const log = deps.log.child({ part: 'card' });
  if (config.card.driver === 'pcsc') {
    const reader = new PcscCardReader(
      { readerName: config.card.readerName },
      { clock: deps.clock, log, dedupe: deps.dedupe ?? new Deduper(config.dedupeMs, deps.clock), maxLength: config.maxLength },
    );
    reader.checkAddon();
    return reader;
  }
  return new SimulatedCardReader(
    { name: config.card.readerName },
    { clock: deps.clock, log, dedupe: deps.dedupe ?? new Deduper(config.dedupeMs, deps.clock), maxLength: config.maxLength },
  );
}
