import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassportError } from '../../icao/errors.ts';
import { decodeFace } from '../../kiosk/passport/face-decode.ts';
import { parseDg2 } from '../../kiosk/passport/face-image.ts';
import { checkJp2Face, readJp2Size } from '../../kiosk/passport/jp2-header.ts';
import { dg2 } from '../../scripts/make-passport.ts';

/** A real JPEG 2000 file (ffmpeg, one grey frame): 21 KB that decodes to 8000×8000. */
const BIG = readFileSync(new URL('../../fixtures/passport/face-8000x8000.jp2', import.meta.url));

/** A raw J2K codestream header: SOC, SIZ with the given size, then a few filler bytes. */
function j2k(width: number, height: number, components = 3, bits = 8): Buffer {
  const siz = Buffer.alloc(2 + 38 + 3 * components);
  siz.writeUInt16BE(0xff51, 0);
  siz.writeUInt16BE(38 + 3 * components, 2);
  siz.writeUInt32BE(width, 6);
  siz.writeUInt32BE(height, 10);
  siz.writeUInt32BE(width, 22);
  siz.writeUInt32BE(height, 26);
  siz.writeUInt16BE(components, 38);
  for (let i = 0; i < components; i++) siz.set([bits - 1, 1, 1], 40 + 3 * i);
  return Buffer.concat([Buffer.from([0xff, 0x4f]), siz, Buffer.alloc(16)]);
}

test('the SIZ marker of a JP2 file and of a raw codestream gives the declared size', () => {
  assert.equal(readJp2Size(BIG), { width: 8000, height: 8000, components: 1, bits: 8 });
  assert.equal(readJp2Size(j2k(360, 480)), { width: 360, height: 480, components: 3, bits: 8 });
});

test('a signed 21 KB JPEG 2000 face that declares 8000×8000 is refused from its header, never decoded', async () => {
  const face = parseDg2(dg2(BIG, 'jp2', 8000, 8000));
  assert.is(face.format, 'jp2');
  try {
    await decodeFace(face);
    assert.unreachable('decoded');
  } catch (e) {
    assert.instance(e, PassportError);
    assert.is((e as PassportError).code, 'REFERENCE_UNUSABLE');
    // The header check's own message: the refusal came before the decoder ran.
    assert.match((e as Error).message, /declares 8000×8000/);
  }
});

test('header checks: sample format, component count and a size that disagrees with the record are refused before decoding', () => {
  const refuse = (b: Buffer, rec: { width: number; height: number }, why: RegExp): void =>
    assert.throws(() => checkJp2Face(b, rec), (e: Error & { code: string }) => e.code === 'REFERENCE_UNUSABLE' && why.test(e.message));
  refuse(j2k(360, 480, 3, 16), { width: 360, height: 480 }, /16-bit/);
  refuse(j2k(360, 480, 4), { width: 360, height: 480 }, /4 components/);
  refuse(j2k(360, 480), { width: 36, height: 48 }, /disagrees/);
  refuse(j2k(5000, 10), { width: 5000, height: 10 }, /declares 5000×10/);
  refuse(Buffer.from('0000000c6a5020200d0a870a0000000000', 'hex'), { width: 1, height: 1 }, /box|codestream/);
  assert.equal(checkJp2Face(j2k(360, 480), { width: 360, height: 480 }).width, 360);
});

test.run();
