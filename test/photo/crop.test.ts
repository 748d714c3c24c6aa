import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { SystemClock } from '../../core/clock.ts';
import { faceSection } from '../../config/sections/face.ts';
import { portraitSection } from '../../config/sections/portrait.ts';
import { DocumentScannerTwin } from '../../drivers/document-scanner/index.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { cropPrint, PhotoCropError } from '../../kiosk/photo/crop.ts';
import { checkPortrait } from '../../kiosk/portrait/check.ts';
import { encode, makeBase, makeVariant } from '../../scripts/portrait-set.ts';

/** The photo kiosk's first steps on the twin: a print on the glass, scanned, cut out, checked. */
const t = suite<{ engine: FaceEngine; compliant: Uint8Array; tilted: Uint8Array }>('photo kiosk: scan, cut out the print, check it');
const AREA = { x: 0, y: 0, width: 100, height: 100 };
// Fixture photos are 640-px copies: see test/portrait/check.test.ts.
const config = portraitSection.parse({ minScores: { resolution: 40 } });

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  const photo = new Uint8Array(readFileSync(new URL('../../fixtures/faces/person07-30.jpg', import.meta.url)));
  const base = (await makeBase(photo, ctx.engine))!;
  const other = (await makeBase(new Uint8Array(readFileSync(new URL('../../fixtures/faces/person01-2.jpg', import.meta.url))), ctx.engine))!;
  ctx.compliant = await encode(base.img);
  ctx.tilted = await encode(await makeVariant(base, 'tilted', other, 1));
});

t.after(async (ctx) => {
  await ctx.engine?.close();
});

async function scanWith(print: Uint8Array | null, angle = 0): Promise<Uint8Array> {
  const twin = new DocumentScannerTwin(new SystemClock());
  twin.scanMs = 5;
  if (print) twin.place({ image: print, x: 30, y: 20, width: 35, height: 45, angle });
  try {
    return (await twin.scan({ dpi: 300, mode: 'color', area: AREA })).png;
  } finally {
    await twin.close();
  }
}

t('a compliant print laid on the glass is cut out where it lies and passes every rule', async ({ engine, compliant }) => {
  const { jpeg, box } = await cropPrint(await scanWith(compliant), 300);
  const mm = (px: number): number => (px / 300) * 25.4;
  assert.ok(Math.abs(mm(box.x) - 31) < 1.5 && Math.abs(mm(box.y) - 21) < 1.5, `box at ${mm(box.x)}, ${mm(box.y)} mm`);
  assert.ok(Math.abs(mm(box.width) - 33) < 2 && Math.abs(mm(box.height) - 43) < 2, `box ${mm(box.width)}×${mm(box.height)} mm`);
  const r = await checkPortrait(jpeg, engine, config);
  assert.equal(r.failing.map((f) => f.rule), [], JSON.stringify(r.rules.filter((x) => !x.pass)));
});

t('a print of a tilted head fails the tilt rule after scanning', async ({ engine, tilted }) => {
  const r = await checkPortrait((await cropPrint(await scanWith(tilted), 300)).jpeg, engine, config);
  assert.ok(r.failing.some((f) => f.rule === 'roll' && f.wording.en === 'Your head is tilted'));
});

t('an empty glass is NO_PRINT', async () => {
  try {
    await cropPrint(await scanWith(null), 300);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, PhotoCropError);
    assert.is((err as PhotoCropError).code, 'NO_PRINT');
  }
});

t.run();
