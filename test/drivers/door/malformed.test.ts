import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SerialPort } from 'serialport';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEmitter } from 'node:events';
import { SystemClock } from '../../../kiosk/clock.ts';
import { DeviceError } from '../../../kiosk/errors.ts';
import { createModbusDoorController } from '../../../drivers/door/modbus-master.ts';
import { ModbusSerialTransport } from '../../../drivers/door/modbus-transport.ts';
import { DoorPlant } from '../../../drivers/door/plant.ts';
import { crc16 } from '../../../drivers/door/rtu-requests.ts';
import { RtuSlave } from '../../../drivers/door/rtu-slave.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { FixedPtyPair, testConfig } from './harness.ts';
import { propertyRun } from '../../helpers/property.ts';

/** A raw serial end of the pty pair: bytes in, bytes out, no Modbus library. */
class RawEnd {
  readonly port: SerialPort;
  received = Buffer.alloc(0);
  constructor(path: string) {
    this.port = new SerialPort({ path, baudRate: 19200, parity: 'none', autoOpen: false });
    this.port.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
  }
  open(): Promise<void> {
    return new Promise((res, rej) => this.port.open((e) => (e ? rej(e) : res())));
  }
  /**
   * Writes `bytes` and returns what came back: with `expect`, as soon as that many bytes
   * arrived (a busy machine may take long; 5 s is only the last-resort bound); without it,
   * what arrived within `quietMs` — for asserting that no answer comes.
   */
  async send(bytes: Buffer, expect?: number, quietMs = 120): Promise<Buffer> {
    this.received = Buffer.alloc(0);
    this.port.write(bytes);
    if (expect === undefined) {
      await sleep(quietMs);
      return this.received;
    }
    const deadline = Date.now() + 5000;
    while (this.received.length < expect && Date.now() < deadline) await once(this.port, 'data', 5000);
    return this.received;
  }
  close(): Promise<void> {
    return new Promise((res) => (this.port.isOpen ? this.port.close(() => res()) : res()));
  }
}

/** Resolves on the emitter's next `event`, or after `ms`. */
function once(e: EventEmitter, event: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      e.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    e.on(event, done);
  });
}

function frame(...bytes: number[]): Buffer {
  const b = Buffer.alloc(bytes.length + 2);
  Buffer.from(bytes).copy(b);
  b.writeUInt16LE(crc16(b.subarray(0, -2)), bytes.length);
  return b;
}

const readInputs = frame(1, 2, 0, 0, 0, 7);

interface SlaveCtx {
  pty: FixedPtyPair;
  plant: DoorPlant;
  slave: RtuSlave;
  raw: RawEnd;
}

const s = peerSuite<SlaveCtx>('door: malformed frames to the simulated controller', ['socat']);

s.before.each(async (ctx) => {
  ctx.pty = new FixedPtyPair();
  await ctx.pty.open();
  ctx.plant = new DoorPlant({ clock: new SystemClock() });
  ctx.plant.start();
  ctx.slave = new RtuSlave(ctx.plant, { path: ctx.pty.b });
  await ctx.slave.start();
  ctx.raw = new RawEnd(ctx.pty.a);
  await ctx.raw.open();
});

s.after.each(async (ctx) => {
  await ctx.raw.close();
  await ctx.slave.stop();
  ctx.plant.stop();
  await ctx.pty.close();
});

s('a valid request is answered with a correct CRC', async (ctx) => {
  const r = await ctx.raw.send(readInputs, 6);
  assert.equal([...r], [...frame(1, 2, 1, 0b0000011)]);
});

s('bad CRC, short frame and another unit: dropped without an answer; the next request is served', async (ctx) => {
  const bad = Buffer.from(readInputs);
  bad[bad.length - 1]! ^= 0x55;
  assert.is((await ctx.raw.send(bad)).length, 0, 'bad CRC not answered');
  assert.is((await ctx.raw.send(Buffer.from([1, 2, 0]))).length, 0, 'short frame not answered');
  assert.is((await ctx.raw.send(frame(7, 2, 0, 0, 0, 7))).length, 0, 'another unit not answered');
  assert.is(ctx.slave.stats.dropped, 3);
  assert.equal([...(await ctx.raw.send(readInputs, 6))], [...frame(1, 2, 1, 0b0000011)]);
});

s('unknown function → exception 01, bad address → 02, bad quantity → 03', async (ctx) => {
  assert.equal([...(await ctx.raw.send(frame(1, 0x11), 5))], [...frame(1, 0x91, 1)]);
  assert.equal([...(await ctx.raw.send(frame(1, 4, 0, 9, 0, 1), 5))], [...frame(1, 0x84, 2)]);
  assert.equal([...(await ctx.raw.send(frame(1, 1, 0, 0, 0, 0), 5))], [...frame(1, 0x81, 3)]);
  assert.equal([...(await ctx.raw.send(frame(1, 5, 0, 0, 0x12, 0x34), 5))], [...frame(1, 0x85, 3)]);
});

s('random garbage never crashes the slave; it keeps serving valid requests', async (ctx) => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 40 }), async (junk) => {
      await ctx.raw.send(Buffer.from(junk), undefined, 40);
      // Junk may swallow a request into one torn frame, and on a loaded machine socat may
      // deliver a frame in pieces further apart than the silence (the slave then drops it,
      // as a real controller drops a torn frame): within a few requests the slave must
      // answer correctly again. An answer arrives whole and correct, or not at all.
      const good = frame(1, 2, 1, 0b0000011);
      for (let i = 0; i < 5; i++) {
        const r = await ctx.raw.send(readInputs, 6);
        if (r.subarray(-6).equals(good)) return true;
        await sleep(50);
      }
      return false;
    }), propertyRun('malformed #1', { numRuns: 25 }),
  );
  assert.ok(ctx.slave.isOpen);
});

s.run();

// Our master facing a slave that answers garbage: typed errors, retries, no crash.
interface MasterCtx {
  pty: FixedPtyPair;
  raw: RawEnd;
  link: ModbusSerialTransport;
}
const m = peerSuite<MasterCtx>('door: malformed answers to the Modbus master', ['socat']);

m.before.each(async (ctx) => {
  ctx.pty = new FixedPtyPair();
  await ctx.pty.open();
  ctx.raw = new RawEnd(ctx.pty.b);
  await ctx.raw.open();
  ctx.link = new ModbusSerialTransport({ path: ctx.pty.a, baudRate: 19200, dataBits: 8, parity: 'none', stopBits: 1, unitId: 1, responseTimeoutMs: 200 });
  await ctx.link.open();
});

m.after.each(async (ctx) => {
  await ctx.link.close();
  await ctx.raw.close();
  await ctx.pty.close();
});

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
    assert.unreachable('should have failed');
  } catch (err) {
    assert.instance(err, DeviceError);
    assert.is((err as DeviceError).code, code);
  }
}

m('an answer with a bad CRC is DOOR_BAD_FRAME; silence is DOOR_TIMEOUT; an exception is DOOR_EXCEPTION', async (ctx) => {
  ctx.raw.port.once('data', () => {
    const ans = frame(1, 2, 1, 3);
    ans[ans.length - 1]! ^= 0xff;
    ctx.raw.port.write(ans);
  });
  await expectCode(ctx.link.readDiscreteInputs(0, 7), 'DOOR_BAD_FRAME');
  await expectCode(ctx.link.readDiscreteInputs(0, 7), 'DOOR_TIMEOUT');
  ctx.raw.port.once('data', () => ctx.raw.port.write(frame(1, 0x82, 2)));
  await expectCode(ctx.link.readDiscreteInputs(0, 7), 'DOOR_EXCEPTION');
  ctx.raw.port.once('data', () => ctx.raw.port.write(frame(1, 2, 1, 3)));
  assert.equal(await ctx.link.readDiscreteInputs(0, 2), [true, true], 'a good answer after all that still parses');
});

m('random answers never crash the master: each read ends in data or a typed error', async (ctx) => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 30 }), async (junk) => {
      const reply = (): void => void ctx.raw.port.write(Buffer.from(junk));
      ctx.raw.port.once('data', reply);
      try {
        await ctx.link.readCoils(0, 8);
      } catch (err) {
        ctx.raw.port.off('data', reply);
        return err instanceof DeviceError && ['DOOR_BAD_FRAME', 'DOOR_TIMEOUT', 'DOOR_EXCEPTION'].includes(err.code);
      }
      return true;
    }), propertyRun('malformed #2', { numRuns: 20 }),
  );
});

m('a command without an answer is sent 1 + retries times, then fails DOOR_TIMEOUT; polls stay healthy', async (ctx) => {
  await ctx.link.close();
  const canned: Record<number, Buffer> = { 1: frame(1, 1, 1, 0), 2: frame(1, 2, 1, 3), 4: frame(1, 4, 6, 0, 0, 0, 0, 1, 3) };
  const coilWrites: number[] = [];
  ctx.raw.port.on('data', (req: Buffer) => {
    const fcode = req[1]!;
    if (fcode === 5) coilWrites.push(Date.now());
    else if (fcode === 6) ctx.raw.port.write(req);
    else if (canned[fcode]) ctx.raw.port.write(canned[fcode]!);
  });
  const master = createModbusDoorController(testConfig('pedestrian', { driver: 'modbus', port: ctx.pty.a }), {
    clock: new SystemClock(),
    isControlLoopAlive: () => true,
  });
  try {
    await master.start();
    assert.ok(master.healthy);
    await expectCode(master.setOutputs({ buzzer: true }), 'DOOR_TIMEOUT');
    assert.is(coilWrites.length, 3, 'one request and two retries');
    assert.ok(coilWrites[2]! - coilWrites[0]! >= 350, 'each retry after a full response timeout');
    assert.ok(master.healthy, 'one unanswered command is not a controller fault');
  } finally {
    await master.stop();
  }
});

m.run();
