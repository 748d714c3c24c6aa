import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { shortHash } from '../tokens/reasons.ts';
import { applyCommand } from './command-apply.ts';
import type { CommandLedger } from './command-ledger.ts';
import { openCommand } from './command-open.ts';
import type { CommandResult } from './topics.ts';
import type { SyncHost } from './types.ts';

export interface CommandHandlerOptions {
  host: SyncHost;
  /** The central key; undefined refuses every command with CMD_NO_CENTRAL_KEY. */
  key: KeyObject | undefined;
  /** This gate's command key pair, for commands encrypted to the gate (command-seal.ts). */
  gateKey?: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
  ledger: CommandLedger;
  clock: Clock;
  log: Logger;
  windowS: number;
  maxBytes: number;
  /** Sends the result on `.../cmd/result` (best effort: the journal is the durable account). */
  publishResult: (r: CommandResult) => Promise<void>;
}

/** Refusals decided before the signature held: the id in them is the sender's word only. */
const UNVERIFIED = new Set(['CMD_TOO_LARGE', 'CMD_UNSIGNED', 'CMD_NO_CENTRAL_KEY', 'CMD_BAD_SIGNATURE']);

/**
 * Central commands, one at a time in arrival order: open and verify, refuse a replay
 * (ledger, durable before applying), apply, answer `{id, ok, error?}` and journal what
 * happened — accepted or refused. An id read from an unverified command is answered but
 * journalled only as a short hash, as are the raw bytes.
 */
export class CommandHandler {
  readonly #o: CommandHandlerOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: CommandHandlerOptions) {
    this.#o = opts;
  }

  /** Queues one received command; resolves with the result sent (undefined when it had no id). */
  handle(bytes: Uint8Array): Promise<CommandResult | undefined> {
    const run = this.#queue.then(() => this.#handle(bytes));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #handle(bytes: Uint8Array): Promise<CommandResult | undefined> {
    const o = this.#o;
    const nowMs = o.clock.now();
    const opened = openCommand(bytes, { key: o.key, gateKey: o.gateKey, gate: o.host.config.gate, nowMs, windowS: o.windowS, maxBytes: o.maxBytes });
    let result: CommandResult | undefined;
    if (!opened.ok) {
      const verified = !UNVERIFIED.has(opened.code);
      const idField = opened.id === undefined ? {} : verified ? { command: opened.id } : { command_hash: shortHash(opened.id) };
      this.#journal('maintenance_action', { action: 'central_command_refused', reason: opened.code, ...idField, input: shortHash(bytes), bytes: bytes.length });
      o.log.warn({ reason: opened.code, detail: opened.detail, input: shortHash(bytes) }, 'central command refused');
      if (opened.id !== undefined) result = { id: opened.id, ok: false, error: opened.code };
    } else {
      const cmd = opened.command;
      let fresh: boolean;
      try {
        // remembered until iat + 2 × window: the second window covers the gate clock stepped back
        const monoMs = o.clock.monotonic();
        fresh = o.ledger.remember(cmd.id, cmd.iat, (cmd.iat + 2 * o.windowS) * 1000, nowMs, monoMs);
        o.ledger.prune(nowMs, monoMs);
      } catch (err) {
        o.log.error({ err: (err as Error).message }, 'command ledger failed');
        fresh = false;
        this.#journal('maintenance_action', { action: 'central_command_refused', reason: 'CMD_LEDGER_IO', command: cmd.id, input: shortHash(bytes) });
        result = { id: cmd.id, ok: false, error: 'CMD_LEDGER_IO' };
      }
      if (!fresh && !result) {
        this.#journal('maintenance_action', { action: 'central_command_refused', reason: 'CMD_REPLAYED', command: cmd.id, input: shortHash(bytes) });
        o.log.warn({ command: cmd.id, type: cmd.type }, 'replayed central command refused');
        result = { id: cmd.id, ok: false, error: 'CMD_REPLAYED' };
      } else if (fresh) {
        const applied = applyCommand(o.host, cmd);
        this.#journal(applied.journal.type, applied.journal.data);
        o.log.info({ command: cmd.id, type: cmd.type, ok: applied.ok, error: applied.error }, 'central command');
        result = applied.ok ? { id: cmd.id, ok: true } : { id: cmd.id, ok: false, error: applied.error ?? 'CMD_FAILED' };
      }
    }
    if (result) await o.publishResult(result).catch((err: Error) => o.log.warn({ err: err.message }, 'command result not sent'));
    return result;
  }

  #journal(type: 'maintenance_action' | 'config_changed' | 'keys_changed', data: Record<string, unknown>): void {
    try {
      this.#o.host.journal(type, data);
    } catch (err) {
      this.#o.log.error({ err: (err as Error).message }, 'cannot journal a central command');
    }
  }
}
