import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type GateConfig } from '../../config/schema.ts';
import { Bus } from '../../kiosk/bus.ts';
import type { Clock } from '../../kiosk/clock.ts';
import type { ControlResult, GateControlEvents, GateStatus } from '../../kiosk/control-types.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import { Journal } from '../../kiosk/journal/index.ts';
import type { Logger } from '../../kiosk/log.ts';
import { CommandLedger } from '../../kiosk/sync/command-ledger.ts';
import { loadCentralKey } from '../../kiosk/sync/central-key.ts';
import { CentralSync } from '../../kiosk/sync/sync.ts';
import type { SyncHost } from '../../kiosk/sync/types.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';

export interface SimGateOptions {
  dir: string;
  site: string;
  gate: string;
  url: string;
  clock: Clock;
  log: Logger;
  /** PEM of the central command key the gate trusts (written to its key path). */
  centralKeyPem?: string;
  /** Extra config `sync` fields (batchSize, pollMs, statusIntervalMs …). */
  sync?: Record<string, unknown>;
  /** The gate's kind as its status reports it (default pedestrian; kiosks use their kiosk profile's name). */
  profile?: string;
}

/**
 * One gate of the simulated world: the gate's real journal, reference store, trust and
 * revocation lists on files, and the gate's real central link (kiosk/sync CentralSync —
 * outbox, retained status with last will, signed commands), without devices. Crossings are
 * journalled as the crossing engine journals them; commands are applied by the gate's own
 * command handler, so what the centre sends here is what a real gate would accept.
 */
export class SimGate implements SyncHost {
  readonly config: GateConfig;
  readonly journalStore: Journal;
  readonly references: ReferenceStore;
  readonly tokens: { trustList: TrustList; revocations: RevocationList };
  readonly sync: CentralSync;
  readonly #bus = new Bus<GateControlEvents>();
  readonly #ledger: CommandLedger;
  /** The gate's own command key pair: sealed commands (revocations, enrolments) are encrypted to it. */
  readonly commandKey: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  mode = 'in_service';
  crossings = 0;
  readonly profile: string;

  constructor(o: SimGateOptions) {
    const dir = o.dir;
    this.profile = o.profile ?? 'pedestrian';
    mkdirSync(join(dir, 'tokens'), { recursive: true });
    mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
    const trust = join(dir, 'tokens/trust-list.json');
    const revoked = join(dir, 'tokens/revocations.json');
    writeFileSync(trust, '{}');
    writeFileSync(revoked, '{"cti":[],"sub":[]}');
    const centralKeyPath = join(dir, 'keys/central.pub.pem');
    if (o.centralKeyPem) writeFileSync(centralKeyPath, o.centralKeyPem);
    this.config = configSchema.parse({
      gate: o.gate,
      dataDir: dir,
      journal: { path: join(dir, 'journal.sqlite'), secretPath: join(dir, 'keys/gate-secret') },
      enrolment: { path: join(dir, 'enrolment.sqlite'), keyPath: join(dir, 'keys/enrolment.key') },
      tokens: { trustListPath: trust, revocationListPath: revoked, fleetKeysDir: join(dir, 'tokens/fleet'), replayCachePath: join(dir, 'replay.sqlite') },
      sync: { enabled: true, site: o.site, url: o.url, centralKeyPath, commandLedgerPath: join(dir, 'sync-commands.sqlite'), ...o.sync },
    });
    this.journalStore = Journal.open({ path: this.config.journal.path, gate: o.gate, clock: o.clock, secretPath: this.config.journal.secretPath });
    this.references = ReferenceStore.open({ path: this.config.enrolment.path, keyPath: this.config.enrolment.keyPath, clock: o.clock });
    this.tokens = { trustList: TrustList.load(trust), revocations: RevocationList.load(revoked) };
    this.#ledger = new CommandLedger(this.config.sync.commandLedgerPath);
    this.sync = new CentralSync(this, { clock: o.clock, log: o.log, centralKey: loadCentralKey(centralKeyPath), gateKey: this.commandKey, ledger: this.#ledger });
  }

  start(): void {
    this.append('gate_started', { version: '0.1.0-sim', profile: this.profile });
    this.sync.start();
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
      inCrossing: false,
      devices: { controller: { healthy: true }, camera: { healthy: true } },
      lastCrossing: null,
      journal: { lastSeq: j.lastSeq(), deliveredSeq: j.deliveredSeq(), unsent: j.undeliveredCount(), diskBytes: 0 },
      version: '0.1.0-sim',
      startedAt: '2026-12-01T06:00:00.000Z',
    };
  }

  setMode(mode: 'in_service' | 'out_of_service' | 'maintenance', by: string): ControlResult {
    const from = this.mode;
    this.mode = mode;
    this.append('mode_changed', { from, to: mode, reason: by });
    this.#bus.emit('state', { state: mode, mode, outputs: {} });
    return { ok: true };
  }

  journal(type: 'maintenance_action' | 'config_changed' | 'keys_changed', data: Record<string, unknown>): void {
    this.append(type, data);
  }

  /** Appends like the gate: durable first, then the bus (and so the outbox) hears of it. */
  append(type: string, data: Record<string, unknown>): number {
    const seq = this.journalStore.append(type as never, data as never).seq;
    this.#bus.emit('journal', { seq, type, data });
    return seq;
  }

  /**
   * One crossing as the engine journals it: started, token checked, one face attempt,
   * finished (events.md fields; subject as the gate's pseudonym). Every 10th is referred.
   * The simulated crossing happens in an instant, so its four events are one SQLite
   * transaction and the outbox hears of them after the commit (one MQTT message, one
   * delivered mark): a thousand gates in two processes cost a quarter of the commits.
   */
  crossing(): void {
    const seqs: [number, string, Record<string, unknown>][] = [];
    this.journalStore.db.transaction(() => this.#crossing((type, data) => void seqs.push([this.journalStore.append(type as never, data as never).seq, type, data])))();
    for (const [seq, type, data] of seqs) this.#bus.emit('journal', { seq, type, data });
  }

  #crossing(append: (type: string, data: Record<string, unknown>) => void): void {
    const n = ++this.crossings;
    const crossing = `${this.config.gate}-${n}`;
    const subject = this.journalStore.pseudonym(`holder-${this.config.gate}-${n}`);
    const refused = n % 10 === 0;
    append('crossing_started', { crossing, token_type: 'qr' });
    append('token_checked', { crossing, token_type: 'qr', ok: true, reason: null, subject });
    append('face_attempt', { crossing, attempt: 1, match_score: refused ? 0.21 : 0.62, liveness_score: 0.97, issues: [] });
    append('crossing_finished', {
      crossing,
      outcome: refused ? 'REJECTED_FACE' : 'CLEARED',
      reason: refused ? 'FACE_MISMATCH' : null,
      token_type: 'qr',
      subject,
      match_score: refused ? 0.21 : 0.62,
      liveness_score: 0.97,
      attempts: 1,
      durations: { token_ms: 180, entry_ms: 2100, face_ms: 900 + (n % 7) * 100, exit_ms: 1900, total_ms: 5080 + (n % 7) * 100 },
    });
  }

  on<K extends keyof GateControlEvents>(event: K, fn: (payload: GateControlEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  async stop(): Promise<void> {
    await this.sync.stop();
    this.#ledger.close();
    this.journalStore.close();
    this.references.close();
  }
}
