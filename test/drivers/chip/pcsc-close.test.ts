// @serial — one pcscd per machine: the child process starts its own and must run alone.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { peerSuite } from '../../helpers/suite.ts';
import { VPCD_DRIVER } from './emulator.ts';

const CHILD = fileURLToPath(new URL('./close-after-removal.ts', import.meta.url));
/** Last-resort deadline for the whole child run (pcscd start, passport making, vicc start on a busy machine). */
const DEADLINE_MS = 90_000;

const t = peerSuite('chip: PC/SC close() after the passport left (issue 11 item 4)', ['pcscd', '/usr/bin/python3', 'py:Cryptodome', 'openssl', 'ffmpeg'], [
  { path: VPCD_DRIVER, hint: 'apt-get install vsmartcard-vpcd' },
  { path: '/usr/lib/python3/site-packages/virtualsmartcard', hint: 'apt-get install python3-virtualsmartcard' },
]);

/** Runs the child in its own process group so that a hung child and its pcscd can be killed together. */
function runChild(): Promise<{ out: string; hung: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, DEADLINE_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ out, hung, code });
    });
  });
}

t('close() from the continuation of `removed` (disconnected first, the Express order) returns and the loop runs on', async () => {
  const r = await runChild();
  assert.ok(r.out.includes('disconnected'), `the child did not reach the removal:\n${r.out.slice(-1500)}`);
  assert.not.ok(r.hung, `close() never returned (event loop blocked):\n${r.out.slice(-800)}`);
  assert.match(r.out, /closed \d+/);
  assert.is(r.code, 0, r.out.slice(-1500));
});

t.run();
