import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Clock } from '../../kiosk/clock.ts';
import type { Logger } from '../../kiosk/log.ts';
import { CommandLedger } from '../../kiosk/sync/command-ledger.ts';
import { loadCentralKey } from '../../kiosk/sync/central-key.ts';
import { CentralSync } from '../../kiosk/sync/sync.ts';
import { SimHost } from './sim-host.ts';

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
 * One gate of the simulated world: a SimHost (the gate's real journal, reference store, trust
 * and revocation lists on files) with the gate's real central link running (kiosk/sync
 * CentralSync — outbox, retained status with last will, signed commands). Crossings are
 * journalled as the crossing engine journals them; commands are applied by the gate's own
 * command handler, so what the centre sends here is what a real gate would accept.
 */
export class SimGate extends SimHost {
  readonly sync: CentralSync;
  readonly #ledger: CommandLedger;
  /** The gate's own command key pair: sealed commands (revocations, enrolments) are encrypted to it. */
  readonly commandKey: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  crossings = 0;

  constructor(o: SimGateOptions) {
    super({ dir: o.dir, gate: o.gate, site: o.site, clock: o.clock, sync: { url: o.url, ...o.sync }, ...(o.profile ? { profile: o.profile } : {}), devices: { controller: { healthy: true }, camera: { healthy: true } } });
    const centralKeyPath = this.config.sync.centralKeyPath;
    if (o.centralKeyPem) writeFileSync(centralKeyPath, o.centralKeyPem);
    this.#ledger = new CommandLedger(this.config.sync.commandLedgerPath);
    this.sync = new CentralSync(this, { clock: o.clock, log: o.log, centralKey: loadCentralKey(centralKeyPath), gateKey: this.commandKey, ledger: this.#ledger });
  }

  start(): void {
    this.append('gate_started', { version: this.version, profile: this.profile });
    this.sync.start();
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
    for (const [seq, type, data] of seqs) this.bus.emit('journal', { seq, type, data });
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

  async stop(): Promise<void> {
    await this.sync.stop();
    this.#ledger.close();
    this.close();
  }
}
