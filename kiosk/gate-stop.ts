import type { Clock, TimerHandle } from './clock.ts';
import type { Logger } from './log.ts';

/**
 * How long the gate waits for one part to stop. A device call that never settles (a PC/SC
 * close, a serial port that does not answer its close, an ffmpeg that ignores SIGTERM)
 * must not keep the gate from stopping the doors and closing the journal; what is still
 * pending after the bound is abandoned (the process is about to exit or restart) and said.
 */
export const PART_STOP_BOUND_MS = 2000;

/** The parts stopped last and one at a time, in this order; every reader before them, together. */
export const LATE_PARTS = ['crossing', 'camera', 'door'] as const;

export type StopOutcome = 'stopped' | 'failed' | 'timed_out';

export interface StopBound {
  clock: Clock;
  log: Logger;
  ms?: number;
}

/** Runs `stop` and waits for it at most the bound on the gate's clock; never throws. */
export async function stopWithin(part: string, stop: () => unknown, b: StopBound): Promise<StopOutcome> {
  const ms = b.ms ?? PART_STOP_BOUND_MS;
  let timer: TimerHandle | undefined;
  const bound = new Promise<StopOutcome>((resolve) => {
    timer = b.clock.setTimeout(() => resolve('timed_out'), ms);
  });
  const run = (async (): Promise<StopOutcome> => {
    await stop();
    return 'stopped';
  })().catch((err: unknown) => {
    b.log.error({ part, err: (err as Error)?.message ?? String(err) }, 'part failed to stop');
    return 'failed' as const;
  });
  const outcome = await Promise.race([run, bound]);
  b.clock.clearTimeout(timer);
  if (outcome === 'timed_out') b.log.error({ part, bound_ms: ms }, 'part did not stop within its bound; going on without it');
  return outcome;
}

/**
 * Stops the started parts (`started` in start order): every reader at once, then the
 * crossing engine, the camera and the doors one by one, each within its bound. A reader
 * that hangs costs at most one bound and the doors are always reached.
 */
export async function stopParts(started: readonly string[], stoppers: Record<string, () => unknown>, b: StopBound): Promise<Record<string, StopOutcome>> {
  const out: Record<string, StopOutcome> = {};
  const late = new Set<string>(LATE_PARTS);
  const early = [...started].reverse().filter((p) => !late.has(p));
  await Promise.all(early.map(async (p) => (out[p] = await stopWithin(p, () => stoppers[p]?.(), b))));
  for (const p of LATE_PARTS) if (started.includes(p)) out[p] = await stopWithin(p, () => stoppers[p]?.(), b);
  return out;
}
