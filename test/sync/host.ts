import { join } from 'node:path';
import { SimHost } from '../../central/sim/sim-host.ts';
import type { Clock } from '../../kiosk/clock.ts';
import type { SyncHost } from '../../kiosk/sync/types.ts';

/**
 * The sync tests' gate without devices: the shared SimHost (central/sim/sim-host.ts — the
 * real journal, reference store, trust and revocation lists, a mode refused during a
 * crossing) at site TST with a gate command key path, as the tests have always built it.
 */
export class StoreHost extends SimHost {
  constructor(dir: string, clock: Clock, sync: Record<string, unknown>, gate = 'SYNC-01') {
    super({ dir, clock, gate, site: 'TST', version: '0.1.0-test', sync: { gateKeyPath: join(dir, 'keys/gate-command.key'), ...sync } });
  }
}

/** A small crossing_finished the journal accepts (no traveller data). */
export function crossingData(n: number): Record<string, unknown> {
  return {
    crossing: `X${n}`,
    outcome: 'CLEARED',
    reason: null,
    token_type: 'qr',
    subject: null,
    match_score: 0.61,
    liveness_score: 0.97,
    attempts: 1,
    durations: { token_ms: 180, entry_ms: 2900, face_ms: 1100, exit_ms: 2400, total_ms: 6580 + n },
  };
}

export interface WireEvent {
  seq: number;
  gate: string;
  id: string;
  hash: string;
  prev: string;
}

/** Moves a SimulatedClock with real time (20 ms steps) until paused: a gate whose timers a test can hold. */
export class ClockDriver {
  #timer: NodeJS.Timeout | undefined;
  constructor(readonly clock: { advance(ms: number): void }) {}
  resume(): void {
    this.#timer ??= setInterval(() => this.clock.advance(20), 20);
  }
  pause(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

// The gate's own facade must be a SyncHost: startSync(control) is what kiosk/main.ts calls.
type Assignable<T, U extends T> = U;
export type GateControlIsSyncHost = Assignable<SyncHost, import('../../kiosk/control.ts').GateControl>;
