import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { SystemClock } from '../../core/clock.ts';
import { DocumentScannerTwin, SaneScanner, ScannerError, type DocumentScanner, type ScanRequest } from '../../drivers/document-scanner/index.ts';
import { requirePeers } from '../helpers/peers.ts';

/**
 * One contract for the SANE driver (scanimage against SANE's `test` backend, a real peer) and
 * the twin. A "slow" scanner is one whose scan takes many seconds: the test backend at
 * 1200 dpi over 200×200 mm (about 20 s of scanimage work), the twin with scanMs 60 s.
 */
const SMALL: ScanRequest = { dpi: 150, mode: 'color', area: { x: 0, y: 0, width: 50, height: 60 } };
const SLOW: ScanRequest = { dpi: 1200, mode: 'color', area: { x: 0, y: 0, width: 200, height: 200 } };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    assert.instance(err, ScannerError);
    return (err as ScannerError).code;
  }
}

interface Side {
  name: string;
  make(opts?: { timeoutMs?: number; failing?: boolean }): DocumentScanner;
}

const clock = new SystemClock();
const sides: Side[] = [
  {
    name: 'twin',
    make: (o = {}) => {
      const twin = new DocumentScannerTwin(clock, o.timeoutMs ?? 60_000);
      twin.scanMs = 30;
      if (o.failing) twin.failNext('SCANNER_UNAVAILABLE');
      return Object.assign(twin, {
        // The twin's slow scan: SLOW's dpi makes it wait a minute (the device's own time).
        scan: ((orig) => (r: ScanRequest) => { twin.scanMs = r.dpi === SLOW.dpi ? 60_000 : 30; return orig(r); })(twin.scan.bind(twin)),
      });
    },
  },
];
if (requirePeers('document scanner: SANE test backend', 'scanimage')) {
  sides.push({
    name: 'sane test backend',
    make: (o = {}) => new SaneScanner({ device: 'test', timeoutMs: o.timeoutMs ?? 120_000, extraArgs: ['--test-picture=Color pattern', ...(o.failing ? ['--read-return-value=SANE_STATUS_IO_ERROR'] : [])] }, clock),
  });
}

for (const side of sides) {
  const t = suite(`document scanner contract: ${side.name}`);

  t('a scan is a whole PNG of the requested area at the requested dpi, colour or grey', async () => {
    const s = side.make();
    try {
      const scan = await s.scan(SMALL);
      assert.is(scan.width, 295);
      assert.is(scan.height, 354);
      assert.is(scan.dpi, 150);
      const meta = await sharp(scan.png).metadata();
      assert.is(meta.format, 'png');
      assert.is(meta.channels, 3);
      const grey = await s.scan({ ...SMALL, mode: 'gray' });
      assert.is((await sharp(grey.png).metadata()).channels, 1);
    } finally {
      await s.close();
    }
  });

  t('an impossible request is refused before the device is touched', async () => {
    const s = side.make();
    try {
      assert.is(await code(s.scan({ ...SMALL, dpi: 5 })), 'SCANNER_BAD_REQUEST');
      assert.is(await code(s.scan({ ...SMALL, area: { x: 0, y: 0, width: 300, height: 60 } })), 'SCANNER_BAD_REQUEST');
      assert.is(await code(s.scan({ ...SMALL, area: { x: -1, y: 0, width: 50, height: 60 } })), 'SCANNER_BAD_REQUEST');
      assert.is((await s.scan(SMALL)).width, 295);
    } finally {
      await s.close();
    }
  });

  t('one scan at a time: a second scan is refused busy; cancel aborts the first and the next scan works', async () => {
    const s = side.make();
    try {
      const slow = s.scan(SLOW);
      assert.is(await code(s.scan(SMALL)), 'SCANNER_BUSY');
      s.cancel();
      assert.is(await code(slow), 'SCANNER_CANCELLED');
      assert.is((await s.scan(SMALL)).width, 295);
      s.cancel(); // idle: nothing happens
    } finally {
      await s.close();
    }
  });

  t('a scan that takes longer than the timeout is aborted with SCANNER_TIMEOUT', async () => {
    const s = side.make({ timeoutMs: 400 });
    try {
      assert.is(await code(s.scan(SLOW)), 'SCANNER_TIMEOUT');
      assert.is((await s.scan(SMALL)).width, 295);
    } finally {
      await s.close();
    }
  });

  t('a device that fails mid-scan rejects SCANNER_UNAVAILABLE', async () => {
    const s = side.make({ failing: true });
    try {
      assert.is(await code(s.scan(SMALL)), 'SCANNER_UNAVAILABLE');
    } finally {
      await s.close();
    }
  });

  t('close aborts a running scan; afterwards every scan is refused', async () => {
    const s = side.make();
    const slow = s.scan(SLOW);
    await s.close();
    assert.is(await code(slow), 'SCANNER_CLOSED');
    assert.is(await code(s.scan(SMALL)), 'SCANNER_CLOSED');
    await s.close(); // idempotent
  });

  t.run();
}

const real = suite('document scanner: SANE specifics');
if (sides.length > 1) {
  real('a device that does not exist is SCANNER_UNAVAILABLE, with scanimage’s reason', async () => {
    const s = new SaneScanner({ device: 'nosuch-scanner', timeoutMs: 30_000 }, clock);
    try {
      await s.scan(SMALL);
      assert.unreachable();
    } catch (err) {
      assert.is((err as ScannerError).code, 'SCANNER_UNAVAILABLE');
      assert.match((err as Error).message, /open of device|Invalid argument/);
    }
  });
}

real('twin: the print lying on the glass is what the scan shows, at the place it lies', async () => {
  const twin = new DocumentScannerTwin(clock);
  twin.scanMs = 10;
  const photo = new Uint8Array(readFileSync(new URL('../../fixtures/faces/person01-2.jpg', import.meta.url)));
  twin.place({ image: photo, x: 20, y: 30, width: 35, height: 45 });
  const scan = await twin.scan({ dpi: 300, mode: 'color', area: { x: 0, y: 0, width: 100, height: 100 } });
  const { data, info } = await sharp(scan.png).raw().toBuffer({ resolveWithObject: true });
  const at = (xMm: number, yMm: number): number => { const x = Math.round((xMm / 25.4) * 300), y = Math.round((yMm / 25.4) * 300); return data[(y * info.width + x) * 3]! + data[(y * info.width + x) * 3 + 1]! + data[(y * info.width + x) * 3 + 2]!; };
  assert.ok(at(5, 5) > 720, 'the lid is white');
  assert.ok(at(90, 90) > 720);
  let dark = 0;
  for (let y = 32; y < 73; y += 2) for (let x = 22; x < 53; x += 2) if (at(x, y) < 600) dark++;
  assert.ok(dark > 50, `the photo shows where it lies (${dark} darker points)`);
  twin.clear();
  const empty = await twin.scan({ dpi: 100, mode: 'gray', area: { x: 0, y: 0, width: 100, height: 100 } });
  assert.ok((await sharp(empty.png).stats()).channels[0]!.min > 240);
  await twin.close();
});

real.run();
