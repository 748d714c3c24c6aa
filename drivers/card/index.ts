import type { ReadersConfig } from '../../config/sections/readers.ts';
import type { Clock } from '../../core/clock.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { Deduper } from '../scanner/dedupe.ts';
import type { CardReader } from './interface.ts';
import { SimulatedCardReader } from './twin.ts';

export type { CardRead, CardReader, CardReaderEvents } from './interface.ts';
export { SimulatedCardReader } from './twin.ts';

/**
 * The configured card reader. Only the simulated reader exists until the PC/SC driver
 * lands; `driver: "pcsc"` is refused with a ConfigError rather than silently running a
 * gate without its card reader. Pass `dedupe` to share the window with the scanners.
 */
export function createCardReader(config: ReadersConfig, deps: { clock: Clock; log: Logger; dedupe?: Deduper }): CardReader {
  if (config.card.driver === 'pcsc') {
    throw new ConfigError([{ path: 'readers.card.driver', message: 'the PC/SC card reader driver is not available yet; use "simulated"' }]);
  }
  const log = deps.log.child({ part: 'card' });
  return new SimulatedCardReader(
    { name: config.card.readerName },
    { clock: deps.clock, log, dedupe: deps.dedupe ?? new Deduper(config.dedupeMs, deps.clock), maxLength: config.maxLength },
  );
}
