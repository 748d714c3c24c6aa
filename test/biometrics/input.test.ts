import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeImage, frameImage, MAX_FILE_BYTES, MAX_SIDE } from '../../kiosk/biometrics/decode.ts';
import { FaceInputError } from '../../kiosk/biometrics/errors.ts';

const FIXTURE = new Uint8Array(readFileSync(new URL('../../fixtures/faces/person01-1.jpg', import.meta.url)));

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, FaceInputError);
    assert.is((err as FaceInputError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('empty, random, text and truncated inputs are typed errors', async () => {
  await rejects(decodeImage(new Uint8Array(0)), 'IMAGE_EMPTY');
  await rejects(decodeImage(new Uint8Array(randomBytes(5000))), 'IMAGE_UNSUPPORTED');
  await rejects(decodeImage(new TextEncoder().encode('<html>not a photo</html>')), 'IMAGE_UNSUPPORTED');
  await rejects(decodeImage(FIXTURE.subarray(0, Math.floor(FIXTURE.length / 3))), 'IMAGE_CORRUPT');
  // A JPEG header with its scan data overwritten by noise is caught as well.
  const garbled = FIXTURE.slice();
  garbled.set(randomBytes(4000), 2000);
  await decodeImage(garbled).then(
    (img) => assert.ok(img.width > 0),
    (err: unknown) => assert.instance(err, FaceInputError),
  );
});

test('huge inputs are refused before they are decoded', async () => {
  await rejects(decodeImage(new Uint8Array(MAX_FILE_BYTES + 1)), 'IMAGE_TOO_LARGE');
  // A decompression bomb: 10000×9000 single-colour PNG, small on disk, 90 MP decoded.
  const bomb = await sharp({ create: { width: 10000, height: 9000, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toBuffer();
  assert.ok(bomb.length < 1_000_000);
  await rejects(decodeImage(new Uint8Array(bomb)), 'IMAGE_TOO_LARGE');
});

test('large photos are shrunk to MAX_SIDE, small ones kept as they are', async () => {
  const big = await sharp(FIXTURE).resize(5000).jpeg().toBuffer();
  const img = await decodeImage(new Uint8Array(big));
  assert.is(Math.max(img.width, img.height), MAX_SIDE);
  const small = await decodeImage(FIXTURE);
  const meta = await sharp(FIXTURE).metadata();
  assert.equal([small.width, small.height], [meta.width, meta.height]);
  assert.is(small.data.length, small.width * small.height * 3);
});

test('every format libvips reads decodes to the same RGB picture', async () => {
  const ref = await decodeImage(new Uint8Array(await sharp(FIXTURE).png().toBuffer()));
  for (const fmt of ['webp', 'gif', 'tiff', 'jpeg'] as const) {
    const img = await decodeImage(new Uint8Array(await sharp(FIXTURE).toFormat(fmt, fmt === 'webp' || fmt === 'jpeg' ? { quality: 95 } : {}).toBuffer()));
    assert.equal([img.width, img.height], [ref.width, ref.height], fmt);
    let diff = 0;
    for (let i = 0; i < ref.data.length; i += 101) diff += Math.abs(img.data[i]! - ref.data[i]!);
    // GIF has a 256-colour palette; the rest are near-lossless here.
    assert.ok(diff / (ref.data.length / 101) < (fmt === 'gif' ? 20 : 6), `${fmt} mean difference ${diff / (ref.data.length / 101)}`);
  }
});

test('EXIF orientation is applied, greyscale becomes RGB, alpha is flattened on white', async () => {
  const base = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ff0000' } }).jpeg().toBuffer();
  const rotated = await sharp(base).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const r = await decodeImage(new Uint8Array(rotated));
  assert.equal([r.width, r.height], [100, 200]);

  const grey = await sharp(FIXTURE).toColourspace('b-w').jpeg().toBuffer();
  assert.is((await sharp(grey).metadata()).channels, 1);
  const g = await decodeImage(new Uint8Array(grey));
  assert.is(g.data.length, g.width * g.height * 3);
  for (let i = 0; i < g.data.length; i += 3 * 97) assert.ok(g.data[i] === g.data[i + 1] && g.data[i] === g.data[i + 2]);

  const transparent = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  const t = await decodeImage(new Uint8Array(transparent));
  assert.equal([...t.data.subarray(0, 3)], [255, 255, 255]);
});

test('raw frames are checked, never copied', () => {
  const data = new Uint8Array(64 * 48 * 3);
  assert.is(frameImage({ width: 64, height: 48, channels: 3, data }).data, data);
  const bad = (f: unknown, code: string): void => {
    try {
      frameImage(f as never);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, FaceInputError);
      assert.is((err as FaceInputError).code, code);
    }
  };
  bad({ width: 64, height: 48, channels: 3, data: new Uint8Array(10) }, 'FRAME_INVALID');
  bad({ width: 64, height: 48, channels: 4, data: new Uint8Array(64 * 48 * 4) }, 'FRAME_INVALID');
  bad({ width: 8, height: 8, channels: 3, data: new Uint8Array(192) }, 'FRAME_INVALID');
  bad({ width: 64.5, height: 48, channels: 3, data }, 'FRAME_INVALID');
  bad({ width: 20000, height: 20000, channels: 3, data }, 'IMAGE_TOO_LARGE');
});

test.run();
