import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type GateConfig } from '../../config/schema.ts';
import { Bus } from '../../kiosk/bus.ts';
import type { Clock } from '../../kiosk/clock.ts';
import type { ControlResult, GateControlEvents, GateStatus } from '../../kiosk/control-types.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import { Journal } from '../../kiosk/journal/index.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';
import type { SyncHost } from '../../kiosk/sync/types.ts';

/**
 * A gate without devices for the central link: the real journal, reference store, trust
 * and revocation lists on files in `dir`, a typed bus, and a mode that changes like the
 * crossing engine's (refused during a crossing, journalled as mode_changed).
 */
export class StoreHost implements SyncHost {
  readonly config: GateConfig;
  readonly journalStore: Journal;
  readonly references: ReferenceStore;
  readonly tokens: { trustList: TrustList; revocations: RevocationList };
  readonly bus = new Bus<GateControlEvents>();
  mode = 'in_service';
  inCrossing = false;
  devices: GateStatus['devices'] = { controller: { healthy: true } };

  constructor(dir: string, clock: Clock, sync: Record<string, unknown>, gate = 'SYNC-01') {
    mkdirSync(join(dir, 'tokens'), { recursive: true });
    const trust = join(dir, 'tokens/trust-list.json');
    const revoked = join(dir, 'tokens/revocations.json');
    writeFileSync(trust, '{}');
    writeFileSync(revoked, '{"cti":[],"sub":[]}');
    this.config = configSchema.parse({
      gate,
      dataDir: dir,
      journal: { path: join(dir, 'journal.sqlite'), secretPath: join(dir, 'keys/gate-secret') },
      enrolment: { path: join(dir, 'enrolment.sqlite'), keyPath: join(dir, 'keys/enrolment.key') },
      tokens: { trustListPath: trust, revocationListPath: revoked, fleetKeysDir: join(dir, 'tokens/fleet'), replayCachePath: join(dir, 'replay.sqlite') },
      sync: { enabled: true, site: 'TST', centralKeyPath: join(dir, 'keys/central.pub.pem'), gateKeyPath: join(dir, 'keys/gate-command.key'), commandLedgerPath: join(dir, 'sync-commands.sqlite'), ...sync },
    });
    this.journalStore = Journal.open({ path: this.config.journal.path, gate, clock, secretPath: this.config.journal.secretPath });
    this.references = ReferenceStore.open({ path: this.config.enrolment.path, keyPath: this.config.enrolment.keyPath, clock });
    this.tokens = { trustList: TrustList.load(trust), revocations: RevocationList.load(revoked) };
  }

  status(): GateStatus {
    const j = this.journalStore;
    return {
      gate: this.config.gate,
      site: this.config.sync.site,
      profile: 'pedestrian',
      mode: this.mode,
      state: this.mode,
      inCrossing: this.inCrossing,
      devices: this.devices,
      lastCrossing: null,
      journal: { lastSeq: j.lastSeq(), deliveredSeq: j.deliveredSeq(), unsent: j.undeliveredCount(), diskBytes: j.diskUsage() },
      version: '0.1.0-test',
      startedAt: '2026-11-23T08:00:00.000Z',
    };
  }

  setMode(mode: 'in_service' | 'out_of_service' | 'maintenance', by: string): ControlResult {
    if (this.inCrossing) return { ok: false, code: 'CROSSING_IN_PROGRESS', error: 'a crossing is in progress' };
    const from = this.mode;
    this.mode = mode;
    this.append('mode_changed', { from, to: mode, reason: by });
    this.bus.emit('state', { state: mode, mode, outputs: {} });
    return { ok: true };
  }

  journal(type: 'maintenance_action' | 'config_changed' | 'keys_changed', data: Record<string, unknown>): void {
    this.append(type, data);
  }

  /** Appends like Gate.journal: durable first, then the bus hears of it. */
  append(type: string, data: Record<string, unknown>): number {
    const seq = this.journalStore.append(type as never, data as never).seq;
    this.bus.emit('journal', { seq, type, data });
    return seq;
  }

  on<K extends keyof GateControlEvents>(event: K, fn: (payload: GateControlEvents[K]) => void): () => void {
    return this.bus.on(event, fn);
  }

  close(): void {
    this.journalStore.close();
    this.references.close();
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
