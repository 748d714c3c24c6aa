import * as assert from 'uvu/assert';
import { SystemClock } from '../../../kiosk/clock.ts';
import { createModbusDoorController } from '../../../drivers/door/modbus-master.ts';
import { ProcessDoorController } from '../../../drivers/door/process-controller.ts';
import type { DoorController } from '../../../drivers/door/interface.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { FixedPtyPair, testConfig } from './harness.ts';
import { PymodbusSlave } from './pymodbus-peer.ts';

// Issue 11.3(d): the gate's own work held up heartbeats when the Modbus master shared its
// event loop. With the master in a process of its own (door.ownProcess, the default), a gate
// busy for 900 ms — less than the 1 s after which it counts as hung — still beats; on the
// gate's loop it cannot. pymodbus (another process) is the controller, so it is not held up too.
const t = peerSuite('door: the master in its own process keeps beating while the gate is busy', ['socat', '/usr/bin/python3', 'py:pymodbus', 'py:serial_asyncio']);

const BUSY_MS = 900;

async function beatsWhileBusy(make: (port: string) => DoorController): Promise<number> {
  const pty = new FixedPtyPair();
  await pty.open();
  const peer = await PymodbusSlave.start(pty.b);
  const master = make(pty.a);
  try {
    await master.start();
    assert.ok(master.healthy, 'the master polls pymodbus');
    // Let the heartbeat run first (its first write follows the link's set-up).
    const first = Number(await peer.command('get hr 0'));
    for (let i = 0; i < 100 && Number(await peer.command('get hr 0')) === first; i++) await new Promise((r) => setTimeout(r, 50));
    const before = Number(await peer.command('get hr 0'));
    const end = performance.now() + BUSY_MS;
    while (performance.now() < end); // the gate's thread busy: no timer, no I/O here
    const after = Number(await peer.command('get hr 0'));
    return after - before;
  } finally {
    await master.stop();
    await peer.kill();
    await pty.close();
  }
}

t('a gate busy for 900 ms: heartbeats go on from the door process, none from the gate loop', async () => {
  const alive = () => true;
  const config = (port: string) => testConfig('pedestrian', { driver: 'modbus', port, watchdogMs: 3000 });
  const own = await beatsWhileBusy((port) => new ProcessDoorController(config(port), { clock: new SystemClock(), isControlLoopAlive: alive }));
  const shared = await beatsWhileBusy((port) => createModbusDoorController(config(port), { clock: new SystemClock(), isControlLoopAlive: alive }));
  console.log(`heartbeats written during ${BUSY_MS} ms of a busy gate: own process ${own}, gate loop ${shared}`);
  assert.ok(shared <= 1, `on the gate's loop at most the write already on the wire lands (${shared})`);
  assert.ok(own >= 2, `the door process beat on (${own} writes, 250 ms apart)`);
});

t.run();
