import { execFileSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../../kiosk/clock.ts';
import { ProcessDoorController } from '../../../drivers/door/process-controller.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { FixedPtyPair, testConfig } from './harness.ts';
import { PymodbusSlave } from './pymodbus-peer.ts';

// A door process that is alive but stuck (SIGSTOP) must not leave a door command waiting for
// ever: the gate's setOutputs rejects DOOR_TIMEOUT within the driver's own bound.
const t = peerSuite('door: a stuck door process does not hang a door command', ['socat', 'pgrep', '/usr/bin/python3', 'py:pymodbus', 'py:serial_asyncio']);

t('setOutputs to a stopped door process rejects DOOR_TIMEOUT', async () => {
  const pty = new FixedPtyPair();
  await pty.open();
  const peer = await PymodbusSlave.start(pty.b);
  const master = new ProcessDoorController(testConfig('pedestrian', { driver: 'modbus', port: pty.a }), { clock: new SystemClock(), isControlLoopAlive: () => true });
  let pid = 0;
  try {
    await master.start();
    pid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-f', 'door-process-entry'], { encoding: 'utf8' }).trim().split('\n')[0]);
    assert.ok(pid > 0, 'found the door process');
    process.kill(pid, 'SIGSTOP');
    const err = await master.setOutputs({ entry_release: true }).then(() => undefined, (e: { code?: string }) => e);
    assert.is(err?.code, 'DOOR_TIMEOUT', 'the command is refused, not left waiting');
  } finally {
    if (pid) process.kill(pid, 'SIGCONT');
    await master.stop();
    await peer.kill();
    await pty.close();
  }
});

t.run();
