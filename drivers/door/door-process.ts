/**
 * The door process: the Modbus RTU master (polls, heartbeat, fault watch) with an event loop
 * and a CPU share of its own, so that work in the gate's process — face results, journal
 * writes, display clients — cannot hold up a heartbeat or a poll (issue 11.3(d): gaps of
 * 1.1–1.4 s at load 20–30 when they shared one loop). A thread would not do: the serial
 * port addon is not safe to load in two threads of one process (it aborted at once).
 *
 * The heartbeat still follows the gate's control loop: the gate says every 100 ms whether its
 * loop ticks; a `false`, or a last `true` older than `aliveMs`, stops the heartbeat, so a hung gate
 * still lets the controller's watchdog close the doors. When the gate goes away (killed, its
 * IPC channel closed) this process exits at once: no heartbeat outlives the gate.
 */
import { pino } from 'pino';
import { SystemClock } from '../../core/clock.ts';
import { errorCode } from '../../core/errors.ts';
import type { FromDoorProcess, ToDoorProcess } from './door-process-protocol.ts';
import type { DoorController } from './interface.ts';
import { createModbusDoorController } from './modbus-master.ts';

const post = (m: FromDoorProcess): void => void process.send?.(m);
let lastAlive = -Infinity;
let controller: (DoorController & { stats: object }) | undefined;

process.on('disconnect', () => process.exit(0));

function start(m: Extract<ToDoorProcess, { type: 'start' }>): void {
  // Log lines go back to the gate's logger (its destination, redaction and level).
  const log = pino({ level: m.logLevel }, { write: (line: string) => post({ type: 'log', line }) });
  const c = createModbusDoorController(m.config, {
    clock: new SystemClock(),
    log,
    isControlLoopAlive: () => performance.now() - lastAlive < m.aliveMs,
  });
  controller = c;
  c.on('change', (change) => post({ type: 'change', change }));
  c.on('poll', (snapshot) => post({ type: 'poll', snapshot, stats: { ...c.stats } }));
  c.on('recovered', (snapshot) => post({ type: 'recovered', snapshot }));
  c.on('fault', (err) => post({ type: 'fault', code: err.code, message: err.message }));
  void c.start().then(() => post({ type: 'started' }));
}

process.on('message', (m: ToDoorProcess) => {
  if (m.type === 'alive') lastAlive = m.alive ? performance.now() : -Infinity;
  else if (m.type === 'start') start(m);
  else if (m.type === 'stop') {
    lastAlive = -Infinity;
    void (controller?.stop() ?? Promise.resolve()).finally(() => post({ type: 'stopped' }));
  } else if (m.type === 'set') {
    if (!controller) return post({ type: 'done', id: m.id, error: { code: 'DOOR_OFFLINE', message: 'door: not started' } });
    controller.setOutputs(m.changes).then(
      () => post({ type: 'done', id: m.id }),
      (err: unknown) => post({ type: 'done', id: m.id, error: { code: errorCode(err), message: (err as Error).message } }),
    );
  }
});

post({ type: 'ready', now: performance.now() });
