import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { journalFixture } from './helpers.ts';

test('interleaved async tasks in one process get gap-free, unique seqs', async () => {
  const f = journalFixture();
  const j = f.open();
  try {
    const tasks = Array.from({ length: 8 }, async (_, t) => {
      const seqs: number[] = [];
      for (let i = 0; i < 25; i++) {
        await new Promise((r) => setImmediate(r));
        seqs.push(j.append('maintenance_action', { action: 'test', task: t, i }).seq);
      }
      return seqs;
    });
    const all = (await Promise.all(tasks)).flat().sort((a, b) => a - b);
    assert.equal(all, Array.from({ length: 200 }, (_, i) => i + 1));
    assert.equal(verifyJournal(j.db), { ok: true, events: 200, anchorSeq: 0, lastGoodSeq: 200 });
  } finally {
    j.close();
    f.cleanup();
  }
});

test('three writers on separate connections (worker threads + main) never fork the chain', async () => {
  const f = journalFixture();
  const main = f.open(); // creates the schema and the secret before the workers race
  try {
    const workerUrl = new URL('./append-worker.ts', import.meta.url);
    const workers: Worker[] = [];
    const ready: Promise<unknown>[] = [];
    const run = (writer: string) =>
      new Promise<number[]>((resolve, reject) => {
        // Node 20 workers do not inherit tsx's loader hooks: load the .ts worker through tsx's API
        const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => m.tsImport(${JSON.stringify(workerUrl.href)}, ${JSON.stringify(import.meta.url)}))`;
        const w = new Worker(boot, { eval: true, workerData: { path: f.path, secretPath: f.secretPath, count: 150, writer } });
        workers.push(w);
        ready.push(new Promise((r) => w.once('message', r)));
        w.once('error', reject);
        void ready.at(-1)!.then(() => w.once('message', resolve));
      });
    const pending = [run('w1'), run('w2')];
    await Promise.all(ready);
    for (const w of workers) w.postMessage('go');
    const mine: number[] = [];
    for (let i = 0; i < 150; i++) {
      mine.push(main.append('maintenance_action', { action: 'test', writer: 'main', i }).seq);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const theirs = await Promise.all(pending);
    const all = [...theirs.flat(), ...mine].sort((a, b) => a - b);
    assert.equal(all, Array.from({ length: 450 }, (_, i) => i + 1));
    assert.equal(verifyJournal(f.path), { ok: true, events: 450, anchorSeq: 0, lastGoodSeq: 450 });
    const raw = new Database(f.path, { readonly: true });
    const ids = raw.prepare('SELECT COUNT(DISTINCT id) AS n FROM events').get() as { n: number };
    raw.close();
    assert.is(ids.n, 450);
  } finally {
    main.close();
    f.cleanup();
  }
});

test.run();
