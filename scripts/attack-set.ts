/**
 * Presentation attacks made from photos, reproducible from a seed (sharp plus pixel loops):
 * what a camera sees when someone holds up a screen or a print of the photo.
 *
 * - `screen`: the photo shown on a phone/tablet and recaptured. Colour gamut of a display
 *   (saturation × 0.75–0.9, blue cast +4–10 levels, black level lifted 8–18), moiré from
 *   the pixel grid beating with the camera's (a sinusoidal grating, period 2.5–5 px, random
 *   angle, amplitude 5–12 %), the black bezel around the screen (4–9 % of the side), the
 *   device set on a room background, recaptured with slight defocus (σ 0.4–0.9) and JPEG.
 * - `screen-glare`: as `screen` plus a specular reflection of a lamp on the glass (radial
 *   white highlight, 35–65 % peak, radius 20–40 % of the side, placed off-centre).
 * - `print`: the photo printed on paper. Reduced dynamic range (contrast × 0.75–0.85, paper
 *   white 230–245), desaturated (× 0.8–0.9), warm cast, paper texture (per-pixel grain ±4–9
 *   levels plus low-frequency fibre blotches), a white paper margin (5–10 %), on a background.
 * - `print-hands`: as `print`, held by two hands: skin-coloured fingers (ellipses, shaded)
 *   overlapping the paper's left and right edges.
 * Every attack is a 3:4 or square frame the photo's size (photos over 640 px are scaled down
 * first, as a gate camera would see a printed photo at arm's length).
 */
import sharp from 'sharp';
import { prng } from '../core/prng.ts';

export const ATTACK_KINDS = ['screen', 'screen-glare', 'print', 'print-hands'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

interface Rgb { w: number; h: number; d: Uint8ClampedArray }

async function load(photo: Uint8Array, max = 640): Promise<Rgb> {
  const { data, info } = await sharp(photo).rotate().resize(max, max, { fit: 'inside', withoutEnlargement: true }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { w: info.width, h: info.height, d: new Uint8ClampedArray(data) };
}

function eachPixel(img: Rgb, f: (x: number, y: number, i: number) => void): void {
  for (let y = 0; y < img.h; y++) for (let x = 0; x < img.w; x++) f(x, y, (y * img.w + x) * 3);
}

/** Saturation scale, per-channel offsets, contrast about mid-grey plus a lift. */
function colour(img: Rgb, sat: number, off: [number, number, number], contrast: number, lift: number): void {
  eachPixel(img, (_x, _y, i) => {
    const g = 0.299 * img.d[i]! + 0.587 * img.d[i + 1]! + 0.114 * img.d[i + 2]!;
    for (let c = 0; c < 3; c++) img.d[i + c] = (g + (img.d[i + c]! - g) * sat - 128) * contrast + 128 + lift + off[c]!;
  });
}

/** Places `inner` (scaled by `fill`) centred with a border of `borderRgb` and a background. */
async function mount(inner: Rgb, borderFrac: number, borderRgb: [number, number, number], bg: [number, number, number], fill: number, rollDeg: number): Promise<Rgb> {
  const b = Math.round(borderFrac * Math.max(inner.w, inner.h));
  const framed = await sharp(Buffer.from(inner.d), { raw: { width: inner.w, height: inner.h, channels: 3 } })
    .extend({ top: b, bottom: b, left: b, right: b, background: { r: borderRgb[0], g: borderRgb[1], b: borderRgb[2] } })
    .raw().toBuffer({ resolveWithObject: true });
  const tw = Math.round(inner.w * fill), th = Math.round(inner.h * fill);
  const placed = await sharp(framed.data, { raw: { width: framed.info.width, height: framed.info.height, channels: 3 } })
    .rotate(rollDeg, { background: { r: bg[0], g: bg[1], b: bg[2], alpha: 1 } }).removeAlpha()
    .resize(tw, th, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
  const { data } = await sharp(placed.data, { raw: { width: placed.info.width, height: placed.info.height, channels: 3 } })
    .extend({ left: Math.floor((inner.w - placed.info.width) / 2), right: Math.ceil((inner.w - placed.info.width) / 2), top: Math.floor((inner.h - placed.info.height) / 2), bottom: Math.ceil((inner.h - placed.info.height) / 2), background: { r: bg[0], g: bg[1], b: bg[2] } })
    .raw().toBuffer({ resolveWithObject: true });
  return { w: inner.w, h: inner.h, d: new Uint8ClampedArray(data) };
}

/** One attack presentation of `kind` made from `photo` (JPEG bytes, deterministic from the seed). */
export async function makeAttack(photo: Uint8Array, kind: AttackKind, seed: number): Promise<Buffer> {
  const r = prng(seed);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * r();
  const img = await load(photo);
  const bg: [number, number, number] = [Math.round(u(90, 170)), Math.round(u(90, 160)), Math.round(u(80, 150))];
  let out: Rgb;
  if (kind === 'screen' || kind === 'screen-glare') {
    colour(img, u(0.75, 0.9), [0, u(0, 3), u(4, 10)], 1, u(8, 18));
    const period = u(2.5, 5), angle = u(0, Math.PI), amp = u(0.05, 0.12);
    const cx = Math.cos(angle) / period, cy = Math.sin(angle) / period;
    eachPixel(img, (x, y, i) => {
      const m = 1 + amp * Math.sin(2 * Math.PI * (x * cx + y * cy));
      for (let c = 0; c < 3; c++) img.d[i + c] = img.d[i + c]! * m;
    });
    if (kind === 'screen-glare') {
      const gx = u(0.2, 0.8) * img.w, gy = u(0.15, 0.6) * img.h, rad = u(0.2, 0.4) * Math.max(img.w, img.h), peak = u(0.35, 0.65);
      eachPixel(img, (x, y, i) => {
        const k = peak * Math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * (rad / 2) ** 2));
        for (let c = 0; c < 3; c++) img.d[i + c] = img.d[i + c]! * (1 - k) + 255 * k;
      });
    }
    const v = Math.round(u(5, 20));
    out = await mount(img, u(0.04, 0.09), [v, v, v], bg, u(0.85, 0.97), u(-5, 5));
  } else {
    const white = u(230, 245);
    colour(img, u(0.8, 0.9), [u(3, 8), u(0, 4), -u(2, 8)], u(0.75, 0.85), 0);
    const grain = u(4, 9);
    // Fibre: a few soft blotches of slightly darker paper.
    const blotches = Array.from({ length: 12 }, () => ({ x: u(0, img.w), y: u(0, img.h), s: u(0.03, 0.12) * img.w, a: u(2, 6) }));
    eachPixel(img, (x, y, i) => {
      let f = (r() - 0.5) * 2 * grain;
      for (const b of blotches) f -= b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
      for (let c = 0; c < 3; c++) img.d[i + c] = Math.min(white, img.d[i + c]! + f);
    });
    const paper = Math.round(white);
    out = await mount(img, u(0.05, 0.1), [paper, paper, paper - 6], bg, u(0.85, 0.97), u(-6, 6));
    if (kind === 'print-hands') {
      const skin: [number, number, number] = [Math.round(u(150, 225)), Math.round(u(105, 170)), Math.round(u(80, 140))];
      for (const side of [0.06, 0.94]) {
        for (let k = 0; k < 4; k++) {
          const fx = side * out.w + u(-0.03, 0.03) * out.w, fy = (0.45 + 0.08 * k + u(-0.02, 0.02)) * out.h;
          const rx = u(0.05, 0.08) * out.w, ry = u(0.025, 0.035) * out.h;
          eachPixel(out, (x, y, i) => {
            const e = ((x - fx) / rx) ** 2 + ((y - fy) / ry) ** 2;
            if (e > 1) return;
            const shade = 0.75 + 0.25 * Math.sqrt(1 - e);
            for (let c = 0; c < 3; c++) out.d[i + c] = skin[c]! * shade;
          });
        }
      }
    }
  }
  return sharp(Buffer.from(out.d), { raw: { width: out.w, height: out.h, channels: 3 } }).blur(u(0.4, 0.9)).jpeg({ quality: Math.round(u(70, 90)) }).toBuffer();
}
