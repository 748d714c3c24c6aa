/** The rig of the kill -9 payment tests: the kiosk child (pay-child.ts) against one acquirer that outlives it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { serveAcquirer } from '../../drivers/payment/acquirer-http.ts';
import { SimulatedAcquirer } from '../../drivers/payment/acquirer-sim.ts';

const CHILD = new URL('./pay-child.ts', import.meta.url).pathname;
export const APPS = ['PA0001', 'PA0002', 'PA0003', 'PA0004', 'PA0005'];
const CHILD_DEADLINE_MS = 90_000;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stderr: string;
}

/** Runs the kiosk child; with `killAfterMs` the parent SIGKILLs it that long after its first step. */
export function runChild(dir: string, url: string, env: Record<string, string>, killAfterMs?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, url, ...APPS], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const lines: string[] = [];
    let buf = '';
    let stderr = '';
    let armed = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts);
      if (killAfterMs !== undefined && !armed && lines.some((l) => l.startsWith('step '))) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, lines, stderr });
    });
  });
}

/** A fresh directory and an acquirer whose payer pays every code 150 ms after it is opened. */
export async function killRig(): Promise<{ dir: string; acq: SimulatedAcquirer; url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'egate-pay-kill-'));
  const acq = new SimulatedAcquirer(new SystemClock());
  acq.payer = () => 'pay';
  acq.payerDelayMs = 150;
  const server = await serveAcquirer(acq);
  return {
    dir,
    acq,
    url: server.url,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** After a clean final run: every application charged exactly once, paid once, journalled, chain intact. */
export function assertChargedOnce(dir: string, acq: SimulatedAcquirer): void {
  const db = new Database(join(dir, 'payments.sqlite'), { readonly: true });
  const attempts = db.prepare('SELECT application, key, bill, state FROM attempts').all() as { application: string; key: string; bill: string; state: string }[];
  db.close();
  for (const app of APPS) {
    const mine = attempts.filter((a) => a.application === app);
    const debits = mine.reduce((n, a) => n + acq.debitsForBill(a.bill), 0);
    assert.is(debits, 1, `${app}: charged ${debits} times`);
    assert.equal(mine.map((a) => a.state), ['paid'], `${app}: attempts ${JSON.stringify(mine)}`);
    assert.is(acq.debits(mine[0]!.key), 1);
  }
  assert.is(acq.opened, APPS.length, 'one charge opened at the acquirer per application');
  const verified = verifyJournal(join(dir, 'journal.sqlite'));
  assert.ok(verified.ok, JSON.stringify(verified.firstBad));
  const jdb = new Database(join(dir, 'journal.sqlite'), { readonly: true });
  const states = jdb.prepare(`SELECT json_extract(data, '$.application') AS app, json_extract(data, '$.state') AS state FROM events WHERE type = 'payment_state'`).all() as { app: string; state: string }[];
  jdb.close();
  for (const app of APPS) {
    const s = states.filter((r) => r.app === app).map((r) => r.state);
    assert.ok(s.includes('created') && s.includes('paid'), `${app}: journal has ${s.join(',')}`);
    assert.not.ok(s.includes('refund_due'), `${app}: refund_due journalled`);
  }
}
