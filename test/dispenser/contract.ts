import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import type { CardDispenser } from '../../drivers/dispenser/interface.ts';
import { DISPENSER_FAULT_BIT, type DispenserPlant } from '../../drivers/dispenser/plant.ts';

/**
 * One contract for the card dispenser driver on both paths (docs/kiosk-io.md): the twin in
 * process, and the Modbus master over a socat pty to the RTU slave serving the same plant.
 * Real time with generous deadlines: the waits are on the plant's state, not on speed.
 */
export interface DispenserHarness {
  dispenser: CardDispenser;
  plant: DispenserPlant;
  /** What the driver's isControlLoopAlive() answers: false = the kiosk hung. */
  alive: { value: boolean };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for `pred` (polled every 20 ms) up to `ms`, the deadline for a loaded machine. */
export async function until(pred: () => boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (pred()) return true;
  return pred();
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? 'THREW';
  }
}

export function dispenserContract(t: Test<DispenserHarness>): void {
  t('fetch brings the card of the slot to the internal reader, present puts it in the mouth, the resident takes it', async (h) => {
    h.plant.load(7, 'card-7');
    assert.ok(h.dispenser.healthy);
    await h.dispenser.fetch(7);
    assert.equal(h.plant.card, { label: 'card-7', place: 'reader' });
    assert.is(h.dispenser.status()?.cardAtReader, true);
    const taken = new Promise<void>((r) => { const off = h.dispenser.on('taken', () => (off(), r())); });
    await h.dispenser.present();
    assert.equal(h.plant.card, { label: 'card-7', place: 'mouth' });
    assert.ok(h.plant.take());
    await Promise.race([taken, sleep(20_000).then(() => { throw new Error('no taken event'); })]);
    assert.equal(h.plant.taken, ['card-7']);
  });

  t('retain moves the card at the reader into the capture bin', async (h) => {
    h.plant.load(2, 'card-2');
    await h.dispenser.fetch(2);
    await h.dispenser.retain();
    assert.equal(h.plant.bin, ['card-2']);
    assert.is(h.plant.card.place, 'none');
    assert.is(h.dispenser.status()?.binCount, 1);
  });

  t('present with no card at the reader is refused and nothing reaches the mouth; an empty slot is DISPENSER_SLOT_EMPTY', async (h) => {
    assert.is(await code(h.dispenser.present()), 'DISPENSER_REFUSED');
    assert.is(h.plant.card.place, 'none');
    assert.is(await code(h.dispenser.fetch(3)), 'DISPENSER_SLOT_EMPTY');
    assert.is(await code(h.dispenser.fetch(9999)), 'DISPENSER_REFUSED', 'a slot past the stacker is refused (exception 03)');
  });

  t('a jam during the move is DISPENSER_JAM and the card stays inside', async (h) => {
    h.plant.load(4, 'card-4');
    await h.dispenser.fetch(4);
    const moving = code(h.dispenser.present());
    assert.ok(await until(() => h.plant.readInput(4)), 'the controller reports busy');
    h.plant.setFault('jam');
    assert.is(await moving, 'DISPENSER_JAM');
    assert.is(h.plant.card.place, 'reader');
    assert.is(await code(h.dispenser.present()), 'DISPENSER_REFUSED', 'no move while jammed');
    h.plant.setFault('none');
  });

  t('a hung kiosk (no heartbeat) has the card in the mouth retained by the controller, and nothing is presented until it beats again', async (h) => {
    h.plant.load(5, 'card-5');
    h.plant.load(6, 'card-6');
    await h.dispenser.fetch(5);
    await h.dispenser.present();
    h.alive.value = false;
    assert.ok(await until(() => h.plant.tripped), 'watchdog tripped');
    assert.equal(h.plant.bin, ['card-5'], 'the card in the mouth went to the bin');
    assert.is(h.plant.taken.length, 0);
    assert.ok(await until(() => ((h.dispenser.status()?.faultBits ?? 0) & DISPENSER_FAULT_BIT.watchdog) !== 0), 'the driver sees fault bit3');
    assert.is(await code(h.dispenser.fetch(6)), 'DISPENSER_REFUSED', 'no move while tripped');
    h.alive.value = true;
    assert.ok(await until(() => !h.plant.tripped), 'a new heartbeat clears the trip');
    await h.dispenser.fetch(6);
    assert.is(h.plant.card.label, 'card-6');
    await h.dispenser.retain();
  });

  t('a controller that stops answering is a fault once, and recovered when it answers again', async (h) => {
    const faults: string[] = [];
    let recovered = 0;
    h.dispenser.on('fault', (e) => faults.push(e.code));
    h.dispenser.on('recovered', () => recovered++);
    h.plant.setFault('silent');
    assert.ok(await until(() => faults.length > 0), 'fault reported');
    assert.is(h.dispenser.healthy, false);
    assert.is(await code(h.dispenser.present()), 'DISPENSER_OFFLINE');
    h.plant.setFault('none');
    assert.ok(await until(() => recovered > 0), 'recovered');
    assert.equal(faults, ['DISPENSER_OFFLINE']);
  });
}
