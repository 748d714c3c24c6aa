import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type GateConfig } from '../../config/schema.ts';
import { Bus } from '../../kiosk/bus.ts';
import type { Clock } from '../../kiosk/clock.ts';
import type { ControlResult, GateControlEvents, GateStatus } from '../../kiosk/control-types.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import { Journal } from '../../kiosk/journal/index.ts';
import type { SyncHost } from '../../kiosk/sync/types.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';

export interface SimHostOptions {
  dir: string;
  gate: string;
  site: string;
  clock: Clock;
  /** Config `sync` fields (url, batchSize, pollMs, statusIntervalMs, gateKeyPath …) over the defaults here. */
  sync?: Record<string, unknown>;
  /** The gate's kind as its status reports it (default pedestrian; kiosks use their kiosk profile's name). */
  profile?: string;
  /** Software version in the status. */
  version?: string;
  devices?: GateStatus['devices'];
}

/**
 * A gate without devices, for the central link: the gate's real journal, reference store,
 * trust and revocation lists on files in `dir`, a typed bus, and a mode that changes like
 * the crossing engine's (refused during a crossing, journalled as mode_changed). The fleet
 * simulator's SimGate is one with the central link running; the sync tests and bench-sync
 * use it as it is (test/sync/host.ts).
 */
export class SimHost implements SyncHost {
  readonly config: GateConfig;
  readonly journalStore: Journal;
  readonly references: ReferenceStore;
  readonly tokens: { trustList: TrustList; revocations: RevocationList };
  readonly bus = new Bus<GateControlEvents>();
  readonly profile: string;
  readonly version: string;
  mode = 'in_service';
  inCrossing = false;
  devices: GateStatus['devices'];

  constructor(o: SimHostOptions) {
    const dir = o.dir;
    mkdirSync(join(dir, 'tokens'), { recursive: true });
    mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
    const trust = join(dir, 'tokens/trust-list.json');
    const revoked = join(dir, 'tokens/revocations.json');
    writeFileSync(trust, '{}');
    writeFileSync(revoked, '{"cti":[],"sub":[]}');
    this.profile = o.profile ?? 'pedestrian';
    this.version = o.version ?? '0.1.0-sim';
    this.devices = o.devices ?? { controller: { healthy: true } };
    this.config = configSchema.parse({
      gate: o.gate,
      dataDir: dir,
      journal: { path: join(dir, 'journal.sqlite'), secretPath: join(dir, 'keys/gate-secret') },
      enrolment: { path: join(dir, 'enrolment.sqlite'), keyPath: join(dir, 'keys/enrolment.key') },
      tokens: { trustListPath: trust, revocationListPath: revoked, fleetKeysDir: join(dir, 'tokens/fleet'), replayCachePath: join(dir, 'replay.sqlite') },
      sync: { enabled: true, site: o.site, centralKeyPath: join(dir, 'keys/central.pub.pem'), commandLedgerPath: join(dir, 'sync-commands.sqlite'), ...o.sync },
    });
    this.journalStore = Journal.open({ path: this.config.journal.path, gate: o.gate, clock: o.clock, secretPath: this.config.journal.secretPath });
    this.references = ReferenceStore.open({ path: this.config.enrolment.path, keyPath: this.config.enrolment.keyPath, clock: o.clock });
    this.tokens = { trustList: TrustList.load(trust), revocations: RevocationList.load(revoked) };
  }

  status(): GateStatus {
    const j = this.journalStore;
    return {
      gate: this.config.gate,
      site: this.config.sync.site,
      // kiosk profiles are newer than GateStatus's union; the status carries the name as a string
      profile: this.profile as GateStatus['profile'],
      mode: this.mode,
      state: this.mode,
      inCrossing: this.inCrossing,
      devices: this.devices,
      lastCrossing: null,
      journal: { lastSeq: j.lastSeq(), deliveredSeq: j.deliveredSeq(), unsent: j.undeliveredCount(), diskBytes: j.diskUsage() },
      version: this.version,
      startedAt: '2026-12-01T06:00:00.000Z',
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

  /** Appends like Gate.journal: durable first, then the bus (and so the outbox) hears of it. */
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
