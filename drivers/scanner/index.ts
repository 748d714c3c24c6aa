import type { ReadersConfig } from '../../config/sections/readers.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { Deduper } from './dedupe.ts';
import { HidScanner } from './hid-scanner.ts';
import type { TokenScanner } from './interface.ts';
import { SerialScanner } from './serial-scanner.ts';
import { SimulatedScanner } from './twin.ts';

export type { ScanErrorCode, ScannerEvents, TokenRead, TokenScanner } from './interface.ts';
export { ScanError, shortHash } from './interface.ts';
export { Deduper } from './dedupe.ts';
export { HidScanner } from './hid-scanner.ts';
export { SerialScanner } from './serial-scanner.ts';
export { SimulatedScanner } from './twin.ts';

/**
 * One scanner per `config.scanners` entry, real or simulated by its `kind`. They share
 * one Deduper, so a phone seen by two scanners at once is one read (pass `dedupe` to share
 * it with the card reader too). Constructing opens nothing; call start() on each.
 * Duplicate reader names are made unique with a suffix (-2, -3…).
 */
export function createScanners(config: ReadersConfig, deps: { clock: Clock; log: Logger; dedupe?: Deduper }): TokenScanner[] {
  const dedupe = deps.dedupe ?? new Deduper(config.dedupeMs, deps.clock);
  const names = new Set<string>();
  return config.scanners.map((s, i) => {
    const log = deps.log.child({ part: 'scanner', index: i });
    const common = { clock: deps.clock, log, dedupe, maxLength: config.maxLength };
    let scanner: TokenScanner;
    if (s.kind === 'serial') scanner = new SerialScanner({ ...s, name: unique(names, s.name ?? `serial:${s.port}`) }, { ...common, reconnectBackoffMs: config.reconnectBackoffMs });
    else if (s.kind === 'hid') scanner = new HidScanner({ ...s, name: unique(names, s.name ?? HidScanner.defaultName(s)) }, { ...common, reconnectBackoffMs: config.reconnectBackoffMs });
    else scanner = new SimulatedScanner({ name: unique(names, s.name ?? 'sim-scanner') }, common);
    return scanner;
  });
}

function unique(names: Set<string>, name: string): string {
  let n = name;
  for (let i = 2; names.has(n); i++) n = `${name}-${i}`;
  names.add(n);
  return n;
}
