import sharp, { type OverlayOptions } from 'sharp';
import type { RawFrame } from '../../kiosk/biometrics/types.ts';
import type { Box } from '../../kiosk/corridor/geometry.ts';

/**
 * A traveller's photo drawn into one camera's view at the size their distance gives: the
 * photo is scaled so its face box (found once by the face engine) has the projected width,
 * and placed with the face on the projected box, on a plain grey corridor background.
 * Returns the RGB24 frame the camera driver would deliver.
 */
export interface Portrait {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Face box in the photo's own pixels. */
  face: Box;
}

export async function portraitOf(bytes: Uint8Array, face: Box): Promise<Portrait> {
  const m = await sharp(bytes).metadata();
  return { bytes, width: m.width ?? 0, height: m.height ?? 0, face };
}

export async function renderView(cam: { width: number; height: number }, faces: readonly { portrait: Portrait; box: Box }[]): Promise<RawFrame> {
  const layers: OverlayOptions[] = [];
  for (const { portrait: p, box } of faces) {
    const scale = (box[2] - box[0]) / Math.max(1, p.face[2] - p.face[0]);
    const w = Math.max(1, Math.round(p.width * scale));
    const h = Math.max(1, Math.round(p.height * scale));
    const left = Math.round(box[0] - p.face[0] * scale);
    const top = Math.round(box[1] - p.face[1] * scale);
    // Only the part of the scaled photo that falls inside the view.
    const x0 = Math.max(0, -left), y0 = Math.max(0, -top);
    const x1 = Math.min(w, cam.width - left), y1 = Math.min(h, cam.height - top);
    if (x1 - x0 < 8 || y1 - y0 < 8) continue;
    const input = await sharp(p.bytes).resize(w, h, { fit: 'fill' }).extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }).toBuffer();
    layers.push({ input, left: left + x0, top: top + y0 });
  }
  const { data, info } = await sharp({ create: { width: cam.width, height: cam.height, channels: 3, background: { r: 118, g: 122, b: 128 } } })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
