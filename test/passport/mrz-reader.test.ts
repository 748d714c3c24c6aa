import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { ScannerMrzReader } from '../../drivers/mrz/scanner-mrz.ts';
import { SimulatedMrzReader } from '../../drivers/mrz/twin.ts';
import type { MrzRead, MrzReader } from '../../drivers/mrz/interface.ts';
import { Deduper } from '../../drivers/scanner/dedupe.ts';
import { SerialScanner } from '../../drivers/scanner/serial-scanner.ts';
import { SimulatedClock, SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import { makeMrz } from '../../scripts/make-passport.ts';
import { openPtyPair } from '../helpers/pty.ts';
import { peerSuite } from '../helpers/suite.ts';

const MRZ = makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515' });

function next<K extends 'mrz' | 'error'>(r: MrzReader, event: K): Promise<K extends 'mrz' ? MrzRead : { code: string; digest: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event}`)), 3000);
    const off = r.on(event, (p) => {
      clearTimeout(t);
      off();
      resolve(p as never);
    });
  });
}

const twin = suite('mrz reader: simulated twin');

twin('a swipe gives both lines, which parse', async () => {
  const r = new SimulatedMrzReader({ clock: new SystemClock(), log: silentLogger() });
  await r.start();
  const got = next(r, 'mrz');
  assert.ok(r.swipe(MRZ));
  const read = await got;
  assert.equal(read.lines, MRZ);
  assert.is(parseTd3(read.lines).issuingState, 'UTO');
  await r.stop();
});

twin('a lone first line expires and never joins the next swipe', async () => {
  const clock = new SimulatedClock();
  const r = new SimulatedMrzReader({ clock, log: silentLogger(), pairWindowMs: 1000 });
  await r.start();
  const err = next(r, 'error');
  r.type(MRZ[0]);
  await new Promise((res) => setImmediate(res));
  clock.advance(1001);
  const e = await err;
  assert.is(e.code, 'MRZ_FRAMING');
  assert.is(e.digest.length, 12);
  const got = next(r, 'mrz');
  r.swipe(MRZ);
  assert.equal((await got).lines, MRZ);
  await r.stop();
});

twin('a TD1 card line is a framing error carrying only a hash; 88 characters in one line is a whole MRZ', async () => {
  const r = new SimulatedMrzReader({ clock: new SystemClock(), log: silentLogger() });
  await r.start();
  const err = next(r, 'error');
  r.type('I<UTOD231458907<<<<<<<<<<<<<<<');
  const e = await err;
  assert.is(e.code, 'MRZ_FRAMING');
  assert.not.ok(JSON.stringify(e).includes('D231458907'));
  const got = next(r, 'mrz');
  r.type(MRZ.join(''));
  assert.equal((await got).lines, MRZ);
  await r.stop();
});

twin.run();

const serial = peerSuite('mrz reader: serial swipe reader over a socat pty', ['socat']);

serial('lines terminated by CR over a serial line become one MRZ', async () => {
  const pty = await openPtyPair();
  const clock = new SystemClock();
  const scanner = new SerialScanner(
    { kind: 'serial', port: pty.a, baudRate: 9600, suffix: '\r', gapMs: 500 },
    { clock, log: silentLogger(), dedupe: new Deduper(0, clock), maxLength: 256, reconnectBackoffMs: { min: 50, max: 200 } },
  );
  const r = new ScannerMrzReader(scanner, clock);
  try {
    await r.start();
    const got = next(r, 'mrz');
    const fh = await open(pty.b, constants.O_WRONLY | constants.O_NOCTTY);
    await fh.write(Buffer.from(`${MRZ[0]}\r${MRZ[1]}\r`, 'latin1'));
    await fh.close();
    assert.equal((await got).lines, MRZ);
  } finally {
    await r.stop();
    await pty.close();
  }
});

serial.run();
