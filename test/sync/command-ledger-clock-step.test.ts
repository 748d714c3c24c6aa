import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { CommandLedger } from '../../kiosk/sync/command-ledger.ts';
import { signCommand } from '../../kiosk/sync/command-sign.ts';
import { CommandHandler } from '../../kiosk/sync/commands.ts';
import type { CommandResult } from '../../kiosk/sync/topics.ts';
import { generateP256 } from '../../kiosk/tokens/cose-key.ts';
import { StoreHost } from './host.ts';

/**
 * The central command ledger must not depend on the wall clock going forwards (sibling of
 * issue 11 item 10): a step forward that prunes a used command id, then a step back, must
 * not make a replay of that signed command (mode change, trust list, enrolment…) acceptable.
 * `advance` moves wall and monotonic time together (real time passing), `setWallClock`
 * steps the wall clock alone (NTP, an operator, a dead RTC battery).
 */
const HOUR = 3_600_000;
const WINDOW_S = 60;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'egate-ledger-step-'));
  const clock = new SimulatedClock();
  const host = new StoreHost(dir, clock, { commandWindowS: WINDOW_S });
  const central = generateP256();
  const path = host.config.sync.commandLedgerPath;
  const handler = (ledger: CommandLedger, on: SimulatedClock = clock): CommandHandler =>
    new CommandHandler({
      host, key: central.publicKey, ledger, clock: on, log: silentLogger(), windowS: WINDOW_S,
      maxBytes: host.config.sync.maxCommandBytes, publishResult: async () => {},
    });
  /** A signed set_mode command issued at `iatMs` (the central system's clock). */
  const command = (id: string, iatMs: number, mode = 'maintenance'): Uint8Array =>
    signCommand(central.privateKey, { id, iat: Math.floor(iatMs / 1000), gate: 'SYNC-01', type: 'set_mode', args: { mode } });
  return { dir, clock, host, path, handler, command, done: () => { host.close(); rmSync(dir, { recursive: true, force: true }); } };
}

const outcome = (r: CommandResult | undefined): string => (r === undefined ? 'none' : r.ok ? 'OK' : (r.error ?? 'FAILED'));

test('a used command stays refused after the wall clock steps forward an hour, prunes, and steps back', async () => {
  const s = setup();
  const ledger = new CommandLedger(s.path);
  const h = s.handler(ledger);
  const t0 = s.clock.now();
  const once = s.command('cmd-once', t0);
  assert.is(outcome(await h.handle(once)), 'OK');
  s.clock.setWallClock(t0 + HOUR);
  s.clock.advance(1_000);
  // A command issued at the stepped time is accepted, and the ledger prunes on the way.
  assert.is(outcome(await h.handle(s.command('cmd-ahead', s.clock.now(), 'in_service'))), 'OK');
  assert.is(outcome(await h.handle(once)), 'CMD_STALE', 'the stepped clock sees an old command');
  s.clock.setWallClock(t0 + 5_000);
  assert.is(outcome(await h.handle(once)), 'CMD_REPLAYED');
  assert.is(s.host.mode, 'in_service', 'the replay changed nothing');
  // A fresh command issued after the step back still passes.
  assert.is(outcome(await h.handle(s.command('cmd-after', s.clock.now()))), 'OK');
  ledger.close();
  s.done();
});

test('the same after real time passed, the id was really forgotten, and the gate restarted before the step back', async () => {
  const s = setup();
  let ledger = new CommandLedger(s.path);
  const t0 = s.clock.now();
  const once = s.command('cmd-once', t0);
  assert.is(outcome(await s.handler(ledger).handle(once)), 'OK');
  // Real time passes beyond the command's life (2 × window), the clock jumps ahead, a command prunes the ledger.
  s.clock.advance(3 * WINDOW_S * 1000);
  s.clock.setWallClock(t0 + HOUR);
  assert.is(outcome(await s.handler(ledger).handle(s.command('cmd-ahead', s.clock.now(), 'in_service'))), 'OK');
  ledger.close();
  // Restart (a new process: monotonic time starts again) with the wall clock set back to just after the first use.
  const restarted = new SimulatedClock(t0 + 10_000);
  ledger = new CommandLedger(s.path);
  const h = s.handler(ledger, restarted);
  assert.is(outcome(await h.handle(once)), 'CMD_REPLAYED', 'forgotten, but at or below the floor');
  assert.is(s.host.mode, 'in_service');
  assert.is(outcome(await h.handle(s.command('cmd-fresh', restarted.now()))), 'OK', 'a fresh command passes');
  ledger.close();
  s.done();
});

test('ids are still forgotten once both the highest wall time and the monotonic lifetime are past', async () => {
  const s = setup();
  const ledger = new CommandLedger(s.path);
  const h = s.handler(ledger);
  assert.is(outcome(await h.handle(s.command('cmd-1', s.clock.now()))), 'OK');
  assert.is(ledger.size, 1);
  // A wall step forward alone does not forget it (its monotonic life is not over)…
  s.clock.setWallClock(s.clock.now() + HOUR);
  assert.is(outcome(await h.handle(s.command('cmd-2', s.clock.now()))), 'OK');
  assert.is(ledger.size, 2);
  // …real time passing does.
  s.clock.advance(3 * WINDOW_S * 1000);
  assert.is(outcome(await h.handle(s.command('cmd-3', s.clock.now()))), 'OK');
  assert.is(ledger.size, 1, 'only the newest id is kept');
  ledger.close();
  s.done();
});

test('a ledger written before the fix keeps its ids: a replay of one is still refused after opening', async () => {
  const s = setup();
  const t0 = s.clock.now();
  const old = new Database(s.path);
  old.exec('CREATE TABLE seen_command (id TEXT PRIMARY KEY, iat INTEGER NOT NULL, received_ms INTEGER NOT NULL) STRICT');
  old.prepare('INSERT INTO seen_command (id, iat, received_ms) VALUES (?, ?, ?)').run('cmd-old', Math.floor(t0 / 1000), t0);
  old.close();
  const ledger = new CommandLedger(s.path);
  const h = s.handler(ledger);
  assert.is(outcome(await h.handle(s.command('cmd-old', t0))), 'CMD_REPLAYED');
  assert.is(outcome(await h.handle(s.command('cmd-new', t0))), 'OK');
  assert.is(ledger.size, 2);
  ledger.close();
  s.done();
});

test.run();
