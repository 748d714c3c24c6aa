import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import type { CrossingFinishedData } from '../../kiosk/journal/event-types.ts';

export interface JournalFixture {
  dir: string;
  path: string;
  secretPath: string;
  clock: SimulatedClock;
  open(gate?: string): Journal;
  cleanup(): void;
}

/** A journal in a fresh temp directory; cleanup() closes nothing itself, callers close journals. */
export function journalFixture(): JournalFixture {
  const dir = mkdtempSync(join(tmpdir(), 'egate-journal-'));
  const path = join(dir, 'journal.sqlite');
  const secretPath = join(dir, 'keys', 'gate-secret');
  const clock = new SimulatedClock();
  return {
    dir,
    path,
    secretPath,
    clock,
    open: (gate = 'LMC-A-07') => Journal.open({ path, gate, clock, secretPath }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function crossingFinished(n: number, subject: string | null = null): CrossingFinishedData {
  return {
    crossing: `X${n}`,
    outcome: 'CLEARED',
    reason: null,
    token_type: 'qr',
    subject,
    match_score: 0.6123 + n / 1000,
    liveness_score: 0.97,
    attempts: 1,
    durations: { token_ms: 180, entry_ms: 2900, face_ms: 1100 + n, exit_ms: 2400, total_ms: 6580 + n },
  };
}
