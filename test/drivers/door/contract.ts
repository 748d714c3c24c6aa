import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import { DeviceError } from '../../../kiosk/errors.ts';
import type { DoorChange } from '../../../drivers/door/interface.ts';
import { FAULT_BIT } from '../../../drivers/door/plant.ts';
import { waitFor, type DoorHarness } from './harness.ts';

/**
 * The DoorController contract (interface.ts), run unchanged on the Modbus master over a pty
 * and on the in-process twin. `make` builds a fresh, unstarted set-up for each test.
 */
export function doorContract(t: Test, make: () => Promise<DoorHarness>): void {
  async function withHarness(fn: (h: DoorHarness) => Promise<void>): Promise<void> {
    const h = await make();
    try {
      await fn(h);
    } finally {
      await h.close();
    }
  }

  async function startHealthy(h: DoorHarness): Promise<void> {
    await h.settle(h.controller.start());
    assert.ok(h.controller.healthy, 'healthy after start');
  }

  async function expectRejection(p: Promise<unknown>, h: DoorHarness, code: string): Promise<void> {
    let err: unknown;
    p.catch((e) => (err = e));
    await waitFor(h, () => err !== undefined, 3000);
    assert.instance(err, DeviceError);
    assert.is((err as DeviceError).code, code);
  }

  t('start() polls a full snapshot: every role of the layout, doors closed, firmware version', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      const s = h.controller.snapshot();
      assert.equal(Object.keys(s.inputs).sort(), ['entry_closed', 'exit_closed', 'fire_alarm', 'tamper', 'zone_approach', 'zone_exit', 'zone_mantrap']);
      assert.equal(Object.keys(s.registers).sort(), ['fault_bits', 'firmware_version', 'mantrap_occupancy']);
      assert.is(Object.keys(s.outputs).length, 8);
      assert.is(s.inputs.entry_closed, true);
      assert.is(s.registers.firmware_version, 0x0103);
      assert.is(h.plant.readHoldingRegister(1), 600, 'watchdog_ms written from config');
    }));

  t('setOutputs opens the entry door: read-back and entry_closed change events follow', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      const changes: DoorChange[] = [];
      h.controller.on('change', (c) => changes.push(c));
      await h.settle(h.controller.setOutputs({ entry_release: true, entry_green: true }));
      assert.is(h.plant.readCoil(0), true);
      assert.is(h.plant.readCoil(2), true);
      assert.ok(await waitFor(h, () => h.controller.snapshot().outputs.entry_release === true, 1000), 'read back');
      assert.ok(await waitFor(h, () => changes.some((c) => c.role === 'entry_closed' && c.value === false), 1000));
      const ev = changes.find((c) => c.role === 'entry_closed')!;
      assert.is(ev.kind, 'input');
      assert.is(ev.snapshot.inputs.entry_closed, false, 'the event carries the new snapshot');
      await h.settle(h.controller.setOutputs({ entry_release: false }));
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.entry_closed === true, 2000), 'closed again after travel');
    }));

  t('an unknown role or a non-boolean is refused with DOOR_UNKNOWN_ROLE and nothing is written', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      await expectRejection(h.controller.setOutputs({ entry_green: true, barrier_raise: true }), h, 'DOOR_UNKNOWN_ROLE');
      await expectRejection(h.controller.setOutputs({ buzzer: 1 as unknown as boolean }), h, 'DOOR_UNKNOWN_ROLE');
      assert.is(h.plant.readCoil(2), false);
    }));

  t('fire alarm: reported as a change, both doors open though the coils stay 0', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      h.plant.setFireAlarm(true);
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.fire_alarm === true, 500));
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.entry_closed === false && h.controller.snapshot().inputs.exit_closed === false, 1000));
      assert.is(h.controller.snapshot().outputs.entry_release, false);
      h.plant.setFireAlarm(false);
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.entry_closed === true, 2000), 'closed again after the alarm');
    }));

  t('a traveller arriving shows as a zone_approach change within a poll or two', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      const seen: DoorChange[] = [];
      h.controller.on('change', (c) => seen.push(c));
      h.plant.traveller().arrive();
      assert.ok(await waitFor(h, () => seen.some((c) => c.role === 'zone_approach' && c.value === true), 500));
    }));

  t('heartbeat only while the control loop is alive: a hung loop trips the watchdog, a live one clears it', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      await h.settle(h.controller.setOutputs({ entry_release: true }));
      await h.wait(900);
      assert.is(h.plant.tripped, false, 'heartbeats keep the watchdog (600 ms) quiet');
      h.alive.value = false;
      assert.ok(await waitFor(h, () => h.plant.tripped, 2000), 'watchdog tripped');
      assert.ok(await waitFor(h, () => h.controller.snapshot().outputs.entry_release === false, 500), 'door coil read back 0');
      assert.ok(await waitFor(h, () => ((h.controller.snapshot().registers.fault_bits ?? 0) & FAULT_BIT.watchdog) !== 0, 500));
      assert.ok(h.controller.healthy, 'a tripped controller still answers');
      await expectRejection(h.controller.setOutputs({ entry_release: true }), h, 'DOOR_EXCEPTION');
      h.alive.value = true;
      assert.ok(await waitFor(h, () => !h.plant.tripped, 1000), 'a new heartbeat clears the trip');
      await h.settle(h.controller.setOutputs({ entry_release: true }));
      assert.is(h.plant.readCoil(0), true);
    }));

  // Issue 11 item 3(a): a master that restarted its counter at 1 over a register holding 1
  // wrote no change, and the controller a dead master had tripped stayed tripped.
  t('the heartbeat continues from the register (a tripped controller holding 1 is cleared); no output before the first heartbeat', () =>
    withHarness(async (h) => {
      h.plant.writeHoldingRegister(0, 1);
      assert.ok(await waitFor(h, () => h.plant.tripped, 4000), 'a controller without a master trips');
      const beats: number[] = [];
      const write = h.plant.writeHoldingRegister.bind(h.plant);
      h.plant.writeHoldingRegister = (addr, value) => {
        if (addr === 0) beats.push(value);
        write(addr, value);
      };
      h.alive.value = false;
      await h.settle(h.controller.start());
      await expectRejection(h.controller.setOutputs({ entry_release: true }), h, 'DOOR_OFFLINE');
      assert.is(h.plant.readCoil(0), false, 'nothing written before a heartbeat');
      h.alive.value = true;
      assert.ok(await waitFor(h, () => !h.plant.tripped, 1500), 'the trip clears');
      assert.is.not(beats[0], 1, `the first heartbeat is a change (heartbeats written: ${beats.slice(0, 3).join(', ')})`);
      // The trip clears when the controller executes the heartbeat; the master learns of it from
      // the answer, which a loaded machine delivers later: the command goes out once it has.
      let sent = false;
      for (let i = 0; i < 100 && !sent; i++) {
        sent = await h.settle(h.controller.setOutputs({ entry_release: true })).then(
          () => true,
          (err: { code?: string }) => {
            if (err.code !== 'DOOR_OFFLINE') throw err;
            return false;
          },
        );
        if (!sent) await h.wait(50);
      }
      assert.ok(sent, 'the command is sent once the heartbeat is acknowledged');
      assert.is(h.plant.readCoil(0), true);
    }));

  // Issue 11 item 3(b): watchdog_ms was written only when the port reopened, so a controller
  // that rebooted ran with its own default.
  t('a controller that restarts gets watchdog_ms written again and read back; its watchdog then trips in time', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      assert.ok(await waitFor(h, () => h.plant.readHoldingRegister(1) === h.config.watchdogMs, 1000), 'watchdog_ms set on connect');
      h.plant.powerCycle();
      assert.is.not(h.plant.readHoldingRegister(1), h.config.watchdogMs, 'the rebooted controller runs its own default');
      assert.ok(await waitFor(h, () => h.plant.readHoldingRegister(1) === h.config.watchdogMs, 2500), 'watchdog_ms written again after the restart');
      h.alive.value = false;
      assert.ok(await waitFor(h, () => h.plant.tripped, h.config.watchdogMs + 600), 'the configured watchdog trips a hung master');
    }));

  for (const [fault, code] of [['silent', 'DOOR_TIMEOUT'], ['bad_crc', 'DOOR_BAD_FRAME'], ['exception', 'DOOR_EXCEPTION']] as const) {
    t(`personality ${fault}: fault ${code} after faultAfterMs, commands refused, recovered when healthy`, () =>
      withHarness(async (h) => {
        await startHealthy(h);
        const faults: DeviceError[] = [];
        let recovered = 0;
        h.controller.on('fault', (e) => faults.push(e));
        h.controller.on('recovered', () => recovered++);
        h.plant.setFault(fault);
        await h.wait(h.config.faultAfterMs - 300);
        assert.is(faults.length, 0, 'no fault before faultAfterMs');
        assert.ok(await waitFor(h, () => faults.length > 0, 2500), 'fault emitted');
        assert.is(faults.length, 1);
        assert.is(faults[0]!.code, code);
        assert.is(h.controller.healthy, false);
        await expectRejection(h.controller.setOutputs({ buzzer: true }), h, 'DOOR_OFFLINE');
        h.plant.setFault('none');
        assert.ok(await waitFor(h, () => recovered === 1, 2000), 'recovered');
        assert.ok(h.controller.healthy);
        await h.settle(h.controller.setOutputs({ buzzer: true }));
        assert.is(h.plant.readCoil(6), true);
      }));
  }

  t('personality slow, within the response timeout: answers arrive late but polls stay healthy', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      let faults = 0;
      h.controller.on('fault', () => faults++);
      // 60 ms a transaction: polls (3) and heartbeats (4 a second) still fit in each second.
      h.plant.slowMs = 60;
      h.plant.setFault('slow');
      const before = h.controller.snapshot().at;
      await h.settle(h.controller.setOutputs({ exit_red: true }));
      assert.is(h.plant.readCoil(5), true);
      await h.wait(1500);
      assert.is(faults, 0);
      assert.ok(h.controller.healthy);
      assert.ok(h.controller.snapshot().at > before, 'still polling');
      assert.is(h.controller.snapshot().outputs.exit_red, true);
    }));

  t('the serial device vanishes: fault DOOR_PORT_LOST; it returns: reconnected and recovered', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      const faults: DeviceError[] = [];
      let recovered = 0;
      h.controller.on('fault', (e) => faults.push(e));
      h.controller.on('recovered', () => recovered++);
      await h.unplug();
      assert.ok(await waitFor(h, () => faults.length > 0, 2500), 'fault emitted');
      assert.is(faults[0]!.code, 'DOOR_PORT_LOST');
      await h.wait(500);
      await h.plugIn();
      assert.ok(await waitFor(h, () => recovered === 1, 3000), 'recovered after the device returned');
      h.plant.setTamper(true);
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.tamper === true, 1000), 'polling again');
    }));

  t('start() with the device absent resolves unhealthy with a fault; the device appears: recovered', () =>
    withHarness(async (h) => {
      await h.unplug();
      const faults: DeviceError[] = [];
      let recovered = 0;
      h.controller.on('fault', (e) => faults.push(e));
      h.controller.on('recovered', () => recovered++);
      await h.settle(h.controller.start());
      assert.is(h.controller.healthy, false);
      assert.is(faults[0]?.code, 'DOOR_PORT_LOST');
      await h.plugIn();
      assert.ok(await waitFor(h, () => recovered === 1, 3000), 'recovered once the device exists');
      assert.is(h.controller.snapshot().inputs.entry_closed, true);
    }));

  t('stop() ends polling and heartbeats (the watchdog then closes the doors); it is idempotent', () =>
    withHarness(async (h) => {
      await startHealthy(h);
      await h.settle(h.controller.setOutputs({ exit_release: true }));
      await h.settle(h.controller.stop());
      await h.settle(h.controller.stop());
      assert.is(h.controller.healthy, false);
      await expectRejection(h.controller.setOutputs({ buzzer: true }), h, 'DOOR_OFFLINE');
      assert.ok(await waitFor(h, () => h.plant.tripped, 1500));
      assert.is(h.plant.readCoil(1), false);
    }));
}

/** The vehicle layout through the same controller: roles from the vehicle map, a car passes. */
export function vehicleContract(t: Test, make: () => Promise<DoorHarness>): void {
  t('vehicle layout: barrier roles, a car on the loops, the arm held up over it', async () => {
    const h = await make();
    try {
      await h.settle(h.controller.start());
      const s = h.controller.snapshot();
      assert.equal(Object.keys(s.inputs).sort(), ['barrier_down', 'fire_alarm', 'loop_approach', 'loop_barrier', 'loop_exit', 'tamper']);
      assert.equal(Object.keys(s.outputs).sort(), ['barrier_raise', 'buzzer', 'green', 'out_of_service_sign', 'red']);
      assert.is(s.inputs.barrier_down, true);
      const car = h.plant.car().arrive();
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.loop_approach === true, 500));
      void car.drive();
      await h.settle(h.controller.setOutputs({ barrier_raise: true, green: true }));
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.loop_barrier === true, 2500));
      assert.is(h.controller.snapshot().registers.vehicle_count, 1);
      await h.settle(h.controller.setOutputs({ barrier_raise: false }));
      await h.wait(600);
      assert.is(h.controller.snapshot().inputs.barrier_down, false, 'not lowered onto the car');
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.loop_exit === true, 2500));
      assert.ok(await waitFor(h, () => h.controller.snapshot().inputs.barrier_down === true, 3000));
    } finally {
      await h.close();
    }
  });
}
