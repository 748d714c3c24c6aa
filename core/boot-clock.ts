import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SystemClock, type Clock } from './clock.ts';

/**
 * Time since the machine booted, shared by every process of that boot: what a value persisted
 * by one process and read by its successor can be measured against when the wall clock cannot
 * be trusted (stepped by NTP or by someone at the console between the two). A different
 * `bootId` means the machine rebooted and the values are not comparable.
 */
export interface BootClock {
  readonly bootId: string;
  /** Milliseconds on the boot-wide monotonic clock (CLOCK_MONOTONIC on Linux). */
  now(): number;
}

function systemBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return `process-${randomUUID()}`; // no boot id: comparable within this process only
  }
}

/** The machine's boot clock. */
export function systemBootClock(): BootClock {
  const bootId = systemBootId();
  return { bootId, now: () => Number(process.hrtime.bigint() / 1000n) / 1000 };
}

/** The boot clock that goes with a Clock: the machine's for the system clock, the clock's own monotonic time for a simulated one. */
export function bootClockOf(clock: Clock): BootClock {
  return clock instanceof SystemClock ? systemBootClock() : { bootId: 'simulated', now: () => clock.monotonic() };
}
