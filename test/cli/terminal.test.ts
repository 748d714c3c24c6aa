import { execFile, execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { peerSuite } from '../helpers/suite.ts';
import { actionsAfter, ROOT, sleep, startTestGate, TECH, type TestGate } from './harness.ts';

const t = peerSuite<{ g: TestGate; tmux: string }>('cli: egate in a real terminal (tmux) and the socket against another user', ['tmux', 'setpriv']);
const BIN = join(ROOT, 'bin/egate.mjs');

const tmux = (ctx: { tmux: string }, ...args: string[]): string => execFileSync('tmux', ['-L', ctx.tmux, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Waits until the pane shows `re`; returns the whole pane. */
async function paneShows(ctx: { tmux: string }, re: RegExp, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const pane = tmux(ctx, 'capture-pane', '-p', '-t', 'cli');
    if (re.test(pane)) return pane;
    if (Date.now() > end) throw new Error(`pane never showed ${re}:\n${pane}`);
    await sleep(100);
  }
}

/** Starts `egate <args>` in a fresh tmux session; the pane stays after the command ends. */
function runInTerminal(ctx: { g: TestGate; tmux: string }, args: string): void {
  try {
    tmux(ctx, 'kill-session', '-t', 'cli');
  } catch {
    // no session yet
  }
  const cmd = `${process.execPath} ${BIN} --socket ${ctx.g.socketPath} --session-file ${join(ctx.g.dir, 'tty-session.json')} ${args}; echo "[exit $?]"; sleep 60`;
  tmux(ctx, 'new-session', '-d', '-s', 'cli', '-x', '160', '-y', '50', cmd);
}

t.before(async (ctx) => {
  ctx.tmux = `egate-cli-test-${process.pid}`;
  ctx.g = await startTestGate();
  await setTechnician(ctx.g.credentialsPath, TECH.id, 'pin', TECH.pin);
});
t.after(async (ctx) => {
  try {
    tmux(ctx, 'kill-server');
  } catch {
    // never started
  }
  await ctx.g?.close();
});

t('interactive login: the id is echoed, the PIN is not; the status follows', async (ctx) => {
  const seq = ctx.g.control.journalStore.lastSeq();
  runInTerminal(ctx, 'status');
  await paneShows(ctx, /technician:\s*$/m);
  tmux(ctx, 'send-keys', '-t', 'cli', TECH.id, 'Enter');
  await paneShows(ctx, /PIN:\s*$/m);
  tmux(ctx, 'send-keys', '-t', 'cli', TECH.pin, 'Enter');
  const pane = await paneShows(ctx, /\[exit \d+\]/);
  assert.match(pane, /technician: tech01\n/);
  assert.ok(pane.split('\n').some((l) => l.trimEnd() === 'PIN:'), 'nothing after the PIN prompt');
  assert.not.ok(pane.includes(TECH.pin), `the PIN never appears on the screen:\n${pane}`);
  assert.match(pane, /mode in_service/);
  assert.match(pane, /\[exit 0\]/);
  assert.equal(actionsAfter(ctx.g, seq).map((a) => `${a.action}:${a.by}:${a.result}`), ['login:tech01:ok', 'status:tech01:ok']);
});

t('a wrong PIN at the terminal gets a clear message and exit 1', async (ctx) => {
  runInTerminal(ctx, 'login');
  await paneShows(ctx, /technician:\s*$/m);
  tmux(ctx, 'send-keys', '-t', 'cli', TECH.id, 'Enter');
  await paneShows(ctx, /PIN:\s*$/m);
  tmux(ctx, 'send-keys', '-t', 'cli', '000000', 'Enter');
  const pane = await paneShows(ctx, /\[exit \d+\]/);
  assert.match(pane, /error LOGIN_FAILED: login failed: unknown technician or wrong PIN\/key/);
  assert.match(pane, /\[exit 1\]/);
  assert.not.ok(pane.includes('000000'));
});

/** Connects to the socket as `nobody` with plain node (no repo files needed); prints ok or the errno. */
function connectAsNobody(path: string): Promise<string> {
  const script = `require('net').connect(${JSON.stringify(path)}).on('connect',function(){console.log('connected');this.destroy()}).on('error',e=>console.log(e.code))`;
  return new Promise((resolve, reject) =>
    execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' }, (err, out) =>
      err ? reject(err) : resolve(out.trim()),
    ),
  );
}

t('another user cannot open the socket (mode 0600), though the directories let them reach it', async (ctx) => {
  if (process.getuid?.() !== 0) {
    console.log('SKIP cli: another user: the test must run as root to switch to nobody');
    return;
  }
  // Let nobody traverse to the socket so that only its own mode stands in the way.
  chmodSync(ctx.g.dir, 0o711);
  chmodSync(join(ctx.g.dir, 'run'), 0o711);
  assert.is(await connectAsNobody(ctx.g.socketPath), 'EACCES');
  // The control: with the mode opened up the same user gets in, so the refusal above was the mode's.
  chmodSync(ctx.g.socketPath, 0o666);
  assert.is(await connectAsNobody(ctx.g.socketPath), 'connected');
  chmodSync(ctx.g.socketPath, 0o600);
  assert.is(await connectAsNobody(ctx.g.socketPath), 'EACCES');
});

t.run();
