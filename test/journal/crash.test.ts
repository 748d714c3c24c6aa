import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { journalFixture } from './helpers.ts';

const ROUNDS = 24;
const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;

/**
 * Starts the appending child, lets it run a random few milliseconds past its first acked
 * append, SIGKILLs it, and returns the highest seq it acknowledged (printed after append
 * returned). Random delays put the kill anywhere in the append cycle: inside the
 * transaction, during the WAL fsync, between commit and print.
 */
function killMidAppend(path: string, secretPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, secretPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = 0;
    let buf = '';
    let armed = false;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) if (/^\d+$/.test(line)) acked = Math.max(acked, Number(line));
      if (acked > 0 && !armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 40));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code ?? signal} before the kill: ${stderr.slice(0, 500)}`));
      else resolve(acked);
    });
  });
}

test(`SIGKILL at random moments, ${ROUNDS} rounds: chain verifies, no gap, no duplicate, every acked event present`, async () => {
  const f = journalFixture();
  try {
    let before = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const acked = await killMidAppend(f.path, f.secretPath);
      const result = verifyJournal(f.path);
      assert.ok(result.ok, `round ${round}: ${JSON.stringify(result.firstBad)}`);
      assert.ok(result.lastGoodSeq >= acked, `round ${round}: acked seq ${acked} lost (journal ends at ${result.lastGoodSeq})`);
      assert.ok(acked > before, `round ${round}: child acked nothing new`);
      const db = new Database(f.path, { readonly: true });
      const row = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, MIN(seq) AS lo, MAX(seq) AS hi FROM events').get() as Record<string, number>;
      db.close();
      assert.equal(row, { n: result.lastGoodSeq, ids: result.lastGoodSeq, lo: 1, hi: result.lastGoodSeq }, `round ${round}`);
      before = result.lastGoodSeq;
    }
  } finally {
    f.cleanup();
  }
});

test.run();
