import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { readersSection } from '../../../config/sections/readers.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import type { ScanError, TokenRead } from '../../../drivers/scanner/interface.ts';
import { SerialScanner, type SerialScannerConfig } from '../../../drivers/scanner/serial-scanner.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import type { DeviceError } from '../../../kiosk/errors.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { until } from './contract.ts';
import { ScannerCable } from './scanner-pty.ts';

interface Ctx {
  dir: string;
  cable: ScannerCable;
  clock: SimulatedClock;
  scanner: SerialScanner;
  reads: TokenRead[];
  errors: ScanError[];
  faults: DeviceError[];
}

const t = peerSuite<Ctx>('serial scanner', ['socat']);

function build(ctx: Ctx, over: Partial<SerialScannerConfig> = {}, maxLength = 4096): void {
  const readers = readersSection.parse({ maxLength, scanners: [{ kind: 'serial', port: ctx.cable.port, ...over }] });
  ctx.scanner = new SerialScanner(readers.scanners[0] as SerialScannerConfig, {
    clock: ctx.clock,
    log: silentLogger(),
    dedupe: new Deduper(readers.dedupeMs, ctx.clock),
    maxLength: readers.maxLength,
    reconnectBackoffMs: readers.reconnectBackoffMs,
  });
  ctx.reads = [];
  ctx.errors = [];
  ctx.faults = [];
  ctx.scanner.on('read', (r) => ctx.reads.push(r));
  ctx.scanner.on('error', (e) => ctx.errors.push(e));
  ctx.scanner.on('fault', (e) => ctx.faults.push(e));
}

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-scan-'));
  ctx.cable = new ScannerCable(ctx.dir);
  ctx.clock = new SimulatedClock();
});
t.after.each(async (ctx) => {
  await ctx.scanner?.stop();
  await ctx.cable.unplug();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('a code written in pieces, with pauses shorter than gapMs, is one read', async (ctx) => {
  await ctx.cable.plug();
  build(ctx);
  await ctx.scanner.start();
  for (const piece of ['HKMQ1:', 'NCF', 'OXN*TS0', 'BI$\r']) {
    await ctx.cable.write(piece);
    await sleep(30);
    ctx.clock.advance(100);
  }
  await until(() => ctx.reads.length === 1, 'the read');
  assert.is(ctx.reads[0]?.text, 'HKMQ1:NCFOXN*TS0BI$');
  assert.is(ctx.errors.length, 0);
});

t('several codes in one write, each with the terminator, are separate reads; a multi-byte character split across writes survives', async (ctx) => {
  await ctx.cable.plug();
  build(ctx, { suffix: '\r\n' });
  await ctx.scanner.start();
  await ctx.cable.write('ONE\r\nTWO\r\nTH');
  const pound = Buffer.from('£', 'utf8');
  await ctx.cable.write(Buffer.concat([Buffer.from('REE'), pound.subarray(0, 1)]));
  await sleep(20);
  await ctx.cable.write(Buffer.concat([pound.subarray(1), Buffer.from('\r\n')]));
  await until(() => ctx.reads.length === 3, 'three reads');
  assert.equal(ctx.reads.map((r) => r.text), ['ONE', 'TWO', 'THREE£']);
});

t('a scan broken off (silence past gapMs) is SCAN_FRAMING and does not prefix the next scan', async (ctx) => {
  await ctx.cable.plug();
  build(ctx, { gapMs: 500 });
  await ctx.scanner.start();
  await ctx.cable.write('HKMQ1:HALF');
  await sleep(50);
  ctx.clock.advance(499);
  assert.is(ctx.errors.length, 0);
  ctx.clock.advance(1);
  assert.is(ctx.errors[0]?.code, 'SCAN_FRAMING');
  await ctx.cable.write('HKMQ1:WHOLE\r');
  await until(() => ctx.reads.length === 1, 'the next read');
  assert.is(ctx.reads[0]?.text, 'HKMQ1:WHOLE');
});

t('an endless stream without terminator is one SCAN_OVERSIZE, memory stays bounded, the next code reads', async (ctx) => {
  await ctx.cable.plug();
  build(ctx, {}, 256);
  await ctx.scanner.start();
  for (let i = 0; i < 10; i++) await ctx.cable.write('X'.repeat(200));
  await ctx.cable.write('\rHKMQ1:NEXT\r');
  await until(() => ctx.reads.length === 1, 'the next read');
  assert.equal(ctx.errors.map((e) => e.code), ['SCAN_OVERSIZE']);
  assert.is(ctx.reads[0]?.text, 'HKMQ1:NEXT');
});

t('an absent port: start resolves, SCANNER_OPEN fault, reopened with back-off once it appears', async (ctx) => {
  build(ctx);
  await ctx.scanner.start();
  assert.is(ctx.faults[0]?.code, 'SCANNER_OPEN');
  ctx.clock.advance(250); // first retry: still absent
  await sleep(50);
  assert.is(ctx.faults.length, 1, 'one fault per outage');
  await ctx.cable.plug();
  let recovered = false;
  ctx.scanner.on('recovered', () => (recovered = true));
  ctx.clock.advance(499);
  await sleep(50);
  assert.is(recovered, false, 'back-off doubled to 500 ms');
  ctx.clock.advance(1);
  await until(() => recovered, 'recovery');
  await ctx.cable.write('HKMQ1:HELLO\r');
  await until(() => ctx.reads.length === 1, 'a read');
});

t.run();
