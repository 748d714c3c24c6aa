import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readersSection } from '../../../config/sections/readers.ts';
import { createCardReader } from '../../../drivers/card/index.ts';
import type { CardRead } from '../../../drivers/card/interface.ts';
import { SimulatedCardReader } from '../../../drivers/card/twin.ts';
import { PcscCardReader } from '../../../drivers/card/pcsc-card.ts';
import { loadPcscAddon } from '../../../drivers/chip/pcsc-addon.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { errorCode, type EgateError } from '../../../kiosk/errors.ts';
import { silentLogger } from '../../../kiosk/log.ts';

function setup(maxLength = 4096) {
  const clock = new SimulatedClock();
  const config = readersSection.parse({ maxLength });
  const reader = createCardReader(config, { clock, log: silentLogger() });
  assert.instance(reader, SimulatedCardReader);
  const sim = reader as SimulatedCardReader;
  const seen = { cards: [] as CardRead[], removed: 0, errors: [] as EgateError[], faults: [] as string[], recovered: 0 };
  sim.on('card', (c) => seen.cards.push(c));
  sim.on('removed', () => seen.removed++);
  sim.on('error', (e) => seen.errors.push(e));
  sim.on('fault', (e) => seen.faults.push(e.code));
  sim.on('recovered', () => seen.recovered++);
  return { clock, sim, seen };
}
const tick = () => sleep(5);
const CRED = Uint8Array.from([0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x58, 0x20]);

test('a presented card is one card event with its bytes; removal follows', async () => {
  const { clock, sim, seen } = setup();
  await sim.start();
  assert.is(sim.present(CRED), true);
  assert.is(sim.hasCard, true);
  await tick();
  assert.equal([...(seen.cards[0]?.credential ?? [])], [...CRED]);
  assert.is(seen.cards[0]?.reader, 'sim-card');
  assert.is(seen.cards[0]?.at, clock.now());
  sim.remove();
  await tick();
  assert.is(seen.removed, 1);
  assert.is(sim.hasCard, false);
});

test('the same card bounced within dedupeMs is one card; after the window it reads again', async () => {
  const { clock, sim, seen } = setup();
  await sim.start();
  sim.present(CRED);
  await tick();
  sim.remove();
  clock.advance(1500);
  sim.present(CRED);
  await tick();
  sim.remove();
  await tick();
  assert.is(seen.cards.length, 1);
  assert.is(seen.removed, 2);
  clock.advance(2000);
  sim.present(CRED);
  await tick();
  assert.is(seen.cards.length, 2);
});

test('a failed read is an error, not a card, and the next card reads', async () => {
  const { sim, seen } = setup();
  await sim.start();
  sim.failNextRead();
  sim.present(CRED);
  await tick();
  assert.is(seen.cards.length, 0);
  assert.is(errorCode(seen.errors[0]), 'CARD_READ_FAILED');
  sim.remove();
  sim.present(CRED);
  await tick();
  assert.is(seen.cards.length, 1);
});

test('an oversize credential is refused before decoding, without its bytes in the message', async () => {
  const { sim, seen } = setup(16);
  await sim.start();
  sim.present(new Uint8Array(17).fill(0x41));
  await tick();
  assert.is(seen.cards.length, 0);
  assert.is(errorCode(seen.errors[0]), 'CARD_OVERSIZE');
  assert.not.match(seen.errors[0]?.message ?? '', /AAAA/);
});

test('strict: a second card on top of the first is refused; nothing is seen while stopped', async () => {
  const { sim, seen } = setup();
  assert.is(sim.present(CRED), false, 'not started');
  await sim.start();
  sim.present(CRED);
  assert.throws(() => sim.present(CRED), (e: unknown) => errorCode(e) === 'CARD_ALREADY_PRESENT');
  await sim.stop();
  await tick();
  assert.is(seen.cards.length, 0);
});

test('disconnected: one fault; reconnected: recovered and reading', async () => {
  const { sim, seen } = setup();
  await sim.start();
  sim.disconnect();
  await tick();
  assert.equal(seen.faults, ['CARD_READER_DISCONNECTED']);
  assert.is(sim.present(CRED), false);
  sim.reconnect();
  await tick();
  assert.is(seen.recovered, 1);
  assert.is(sim.faulted, false);
  sim.present(CRED);
  await tick();
  assert.is(seen.cards.length, 1);
});

test('factory: pcsc builds the PC/SC smart-ID card reader, or refuses with PCSC_UNAVAILABLE when the addon is missing', () => {
  const config = readersSection.parse({ card: { driver: 'pcsc' } });
  let addon = true;
  try {
    loadPcscAddon();
  } catch {
    addon = false;
  }
  if (addon) assert.instance(createCardReader(config, { clock: new SimulatedClock(), log: silentLogger() }), PcscCardReader);
  else assert.throws(() => createCardReader(config, { clock: new SimulatedClock(), log: silentLogger() }), (e: unknown) => errorCode(e) === 'PCSC_UNAVAILABLE');
});

test.run();
