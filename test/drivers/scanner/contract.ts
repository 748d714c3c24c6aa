import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import type { SimulatedClock } from '../../../kiosk/clock.ts';
import type { DeviceError } from '../../../kiosk/errors.ts';
import { ScanError, type TokenRead, type TokenScanner } from '../../../drivers/scanner/interface.ts';
import { peerSuite } from '../../helpers/suite.ts';

/** What the contract needs to drive a scanner implementation. */
export interface ScannerHarness {
  scanner: TokenScanner;
  clock: SimulatedClock;
  dedupeMs: number;
  maxLength: number;
  /** The device reads a code: serial writes text + terminator, the twin scan(). */
  send(text: string): Promise<void>;
  /** Raw bytes from the device, terminator included by the harness. */
  sendBytes(bytes: Uint8Array): Promise<void>;
  /** The device disappears (pty gone / twin unplug). */
  unplug(): Promise<void>;
  /** The device is back; the harness advances the Clock as far as the driver's retry needs. */
  plug(): Promise<void>;
  close(): Promise<void>;
}

interface Seen {
  reads: TokenRead[];
  errors: ScanError[];
  faults: DeviceError[];
  recovered: number;
}

function record(s: TokenScanner): Seen {
  const seen: Seen = { reads: [], errors: [], faults: [], recovered: 0 };
  s.on('read', (r) => seen.reads.push(r));
  s.on('error', (e) => seen.errors.push(e));
  s.on('fault', (e) => seen.faults.push(e));
  s.on('recovered', () => seen.recovered++);
  return seen;
}

/** `ms` is a deadlock guard, not a speed guess: beside two CPU burners a pty's hang-up reached the driver after more than 5 s. */
export async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

let markers = 0;
/** Sends a fresh code and waits for it: everything sent before it has been handled by then. */
async function barrier(h: ScannerHarness, seen: Seen): Promise<void> {
  const text = `MARK-${++markers}`;
  await h.send(text);
  await until(() => seen.reads.some((r) => r.text === text), `marker ${text}`);
}

const QR = `HKMQ1:${'6BFOXN*TS0BI$ZDYSHFVV1A:J2%L7G6C8J5$1K0G2V9%:P46F0%Z'.repeat(13)}`; // ~700 chars, base45 alphabet

export function scannerContract(name: string, peers: string[], make: () => Promise<ScannerHarness>): void {
  const t = peerSuite<{ h: ScannerHarness; seen: Seen }>(`scanner contract: ${name}`, peers);
  t.before.each(async (ctx) => {
    ctx.h = await make();
    ctx.seen = record(ctx.h.scanner);
  });
  t.after.each(async (ctx) => {
    await ctx.h.close();
  });

  t('a scan is one read with the text, the reader name and the clock time', async ({ h, seen }) => {
    await h.scanner.start();
    await h.scanner.start();
    await h.send(QR);
    await until(() => seen.reads.length === 1, 'the read');
    assert.is(seen.reads[0]?.text, QR);
    assert.is(seen.reads[0]?.reader, h.scanner.name);
    assert.is(seen.reads[0]?.at, h.clock.now());
    assert.is(seen.errors.length, 0);
  });

  t('the same text within dedupeMs of its last sighting is one read; later it reads again', async ({ h, seen }) => {
    await h.scanner.start();
    await h.send('CODE-A');
    await h.send('CODE-B');
    await until(() => seen.reads.length === 2, 'two different codes');
    h.clock.advance(h.dedupeMs - 500);
    await h.send('CODE-A'); // held still: seen again inside the window, which slides
    await barrier(h, seen);
    h.clock.advance(h.dedupeMs - 500);
    await h.send('CODE-A');
    await barrier(h, seen);
    assert.equal(seen.reads.filter((r) => r.text === 'CODE-A').length, 1);
    h.clock.advance(h.dedupeMs);
    await h.send('CODE-A');
    await until(() => seen.reads.filter((r) => r.text === 'CODE-A').length === 2, 'a read after the window');
  });

  t('oversize: SCAN_OVERSIZE without the text, and the next good scan still works', async ({ h, seen }) => {
    await h.scanner.start();
    const huge = 'A'.repeat(h.maxLength + 1);
    await h.send(huge);
    await until(() => seen.errors.length === 1, 'the oversize error');
    const e = seen.errors[0];
    assert.instance(e, ScanError);
    assert.is(e?.code, 'SCAN_OVERSIZE');
    assert.is(e?.device, h.scanner.name);
    assert.match(e?.digest ?? '', /^[0-9a-f]{12}$/);
    assert.not.ok(e?.message.includes('AAAA'));
    await h.send(QR);
    await until(() => seen.reads.length === 1, 'the good scan');
    assert.is(seen.reads[0]?.text, QR);
  });

  t('garbage (control characters, invalid UTF-8): SCAN_GARBAGE, and the next good scan still works', async ({ h, seen }) => {
    await h.scanner.start();
    await h.sendBytes(new Uint8Array([0x48, 0x4b, 0x00, 0x07, 0x4d]));
    await h.sendBytes(new Uint8Array([0x48, 0xc3, 0x28, 0xff]));
    await until(() => seen.errors.length === 2, 'two garbage errors');
    assert.equal(seen.errors.map((e) => e.code), ['SCAN_GARBAGE', 'SCAN_GARBAGE']);
    await h.send('HKMQ1:OK');
    await until(() => seen.reads.length === 1, 'the good scan');
    assert.is(seen.reads[0]?.text, 'HKMQ1:OK');
  });

  t('the same bad scan repeated within the window is reported once', async ({ h, seen }) => {
    await h.scanner.start();
    for (let i = 0; i < 3; i++) await h.sendBytes(new Uint8Array([0x41, 0x01, 0x42]));
    await barrier(h, seen);
    assert.is(seen.errors.length, 1);
  });

  t('unplugged: one fault, no reads; plugged back: recovered and reading', async ({ h, seen }) => {
    await h.scanner.start();
    await h.unplug();
    await until(() => seen.faults.length === 1, 'the fault');
    assert.is(h.scanner.faulted, true);
    await h.plug();
    await until(() => seen.recovered === 1, 'recovery');
    assert.is(h.scanner.faulted, false);
    assert.is(seen.faults.length, 1);
    await h.send('AFTER-REPLUG');
    await until(() => seen.reads.some((r) => r.text === 'AFTER-REPLUG'), 'a read after replug');
  });

  t('stopped: nothing is emitted; stop is idempotent', async ({ h, seen }) => {
    await h.scanner.start();
    await h.send('BEFORE');
    await until(() => seen.reads.length === 1, 'the read');
    await h.scanner.stop();
    await h.scanner.stop();
    await h.send('AFTER').catch(() => {});
    await sleep(100);
    assert.is(seen.reads.length, 1);
  });

  t.run();
}
