import * as assert from 'uvu/assert';
import { dispenserSection } from '../../config/sections/dispenser.ts';
import type { CardDispenser } from '../../drivers/dispenser/interface.ts';
import { createCardDispenser } from '../../drivers/dispenser/index.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { FixedPtyPair } from '../drivers/door/harness.ts';
import { PymodbusSlave } from '../drivers/door/pymodbus-peer.ts';
import { peerSuite } from '../helpers/suite.ts';

// Our dispenser master against an independent Modbus slave (pymodbus 3.0) holding the kiosk
// layout; the test plays the controller's firmware by hand through the slave's stdin.
const KIOSK_SLAVE = new URL('../peers/kiosk_slave.py', import.meta.url).pathname;
type Ctx = { pty: FixedPtyPair; peer: PymodbusSlave; dispenser: CardDispenser; alive: { value: boolean } };
const t = peerSuite<Ctx>('card dispenser: Modbus master vs pymodbus slave', ['socat', '/usr/bin/python3', 'py:pymodbus', 'py:serial_asyncio']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls the slave until `get <table> <addr>` answers `want` (deadline for a loaded machine). */
async function slaveSees(ctx: Ctx, what: string, want: string, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if ((await ctx.peer.command(`get ${what}`)) === want) return true;
  return false;
}

t.before.each(async (ctx) => {
  ctx.alive = { value: true };
  ctx.pty = new FixedPtyPair();
  await ctx.pty.open();
  ctx.peer = await PymodbusSlave.start(ctx.pty.b, KIOSK_SLAVE);
  const config = dispenserSection.parse({ driver: 'modbus', port: ctx.pty.a, parity: 'none', watchdogMs: 2500, mouthLimitS: 45, moveTimeoutMs: 30_000 });
  ctx.dispenser = createCardDispenser(config, { clock: new SystemClock(), log: silentLogger(), isControlLoopAlive: () => ctx.alive.value });
  await ctx.dispenser.start();
});

t.after.each(async (ctx) => {
  await ctx.dispenser?.stop();
  await ctx.peer?.kill();
  await ctx.pty?.close();
});

t('on connect the master writes watchdog_ms and mouth_limit_s, reads the inputs, and beats while the kiosk lives', async (ctx) => {
  assert.ok(ctx.dispenser.healthy);
  assert.is(await ctx.peer.command('get hr 1'), '2500');
  assert.is(await ctx.peer.command('get hr 3'), '45');
  const a = Number(await ctx.peer.command('get hr 0'));
  assert.ok(await slaveSees(ctx, 'hr 0', String(a + 2)) || Number(await ctx.peer.command('get hr 0')) > a, 'heartbeat counts up');
  ctx.alive.value = false;
  await sleep(400); // a heartbeat in flight may still land
  const frozen = await ctx.peer.command('get hr 0');
  await sleep(800);
  assert.is(await ctx.peer.command('get hr 0'), frozen, 'a hung kiosk writes no heartbeat');
});

t('fetch writes the slot and the fetch coil and resolves when the controller cleared it with a card at the reader', async (ctx) => {
  const fetched = ctx.dispenser.fetch(12);
  assert.ok(await slaveSees(ctx, 'co 0', '1'), 'fetch coil written');
  assert.is(await ctx.peer.command('get hr 2'), '12');
  assert.is(await ctx.peer.command('di 0 1'), 'ok');
  assert.is(await ctx.peer.command('co 0 0'), 'ok');
  await fetched;
  assert.is(ctx.dispenser.status()?.cardAtReader, true);
});

t('a present the controller ends without a card in the mouth is refused with the fault bits’ reason (jam)', async (ctx) => {
  const presented = ctx.dispenser.present().then(() => 'OK', (e: { code: string }) => e.code);
  assert.ok(await slaveSees(ctx, 'co 1', '1'), 'present coil written');
  await ctx.peer.command('ir 1 1');
  await ctx.peer.command('co 1 0');
  assert.is(await presented, 'DISPENSER_JAM');
});

t('card_taken rising is a taken event', async (ctx) => {
  const taken = new Promise<void>((r) => { const off = ctx.dispenser.on('taken', () => (off(), r())); });
  await sleep(300);
  await ctx.peer.command('di 2 1');
  await Promise.race([taken, sleep(20_000).then(() => { throw new Error('no taken event'); })]);
});

t.run();
