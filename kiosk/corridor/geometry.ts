/**
 * Where a face is in the corridor, from where it appears in a camera's image. The corridor is
 * a straight walkway: z runs from the entry (0) to the exit door (lengthM), x across it (0 on
 * the axis). Every camera hangs at face height at some z and looks back towards the entry
 * along the axis, so a traveller walks towards it and their face grows in its image — the
 * pinhole model turns box width into distance and box centre into the lateral offset.
 */

/** Mean adult face width between the cheeks (the detector box), metres. */
export const FACE_WIDTH_M = 0.16;

export interface CorridorCamera {
  id: string;
  /** Where the camera hangs along the corridor, metres from the entry. */
  z: number;
  /** Lateral offset of the camera from the corridor axis, metres (+ = the traveller's left as they walk). */
  x: number;
  /** Focal length in pixels (image width / (2·tan(hfov/2))). */
  focalPx: number;
  width: number;
  height: number;
}

export interface CorridorGeometry {
  /** Entry to exit door, metres. */
  lengthM: number;
  /** A traveller this close to the exit door (metres) stands in front of it. */
  exitZoneM: number;
  cameras: readonly CorridorCamera[];
}

/** A face's place in the corridor as one camera sees it. */
export interface CorridorPoint {
  z: number;
  x: number;
  /** Distance from the camera, metres. */
  distance: number;
}

export type Box = [number, number, number, number];

/** Box (x1, y1, x2, y2 in the camera's pixels) → position in the corridor. */
export function locate(cam: CorridorCamera, box: Box): CorridorPoint {
  const w = Math.max(1, box[2] - box[0]);
  const distance = (cam.focalPx * FACE_WIDTH_M) / w;
  const cx = (box[0] + box[2]) / 2 - cam.width / 2;
  return { z: cam.z - distance, x: cam.x + (cx * distance) / cam.focalPx, distance };
}

/**
 * Where a face at (z, x) appears in the camera: the inverse of locate, for the simulated
 * world. Null when the face is behind the camera, too close to see whole, or outside the image.
 */
export function project(cam: CorridorCamera, z: number, x: number, faceHeightOffsetPx = 0): { box: Box; scale: number } | null {
  const distance = cam.z - z;
  if (distance < 0.3) return null;
  const w = (cam.focalPx * FACE_WIDTH_M) / distance;
  const cx = cam.width / 2 + ((x - cam.x) * cam.focalPx) / distance;
  const cy = cam.height / 2 + faceHeightOffsetPx;
  const h = w * 1.25;
  const box: Box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  if (box[0] < 0 || box[2] > cam.width || box[1] < 0 || box[3] > cam.height) return null;
  return { box, scale: w / FACE_WIDTH_M };
}

/**
 * N cameras spread over the corridor's last part, the last one just past the exit door: a
 * traveller is in view of several at once and the nearest sees the biggest face. 640×480 at
 * `hfovDeg` (60° by default, what the twin is validated with). The face engine needs a face of
 * about 90 px (measured on rendered corridor views): a 60° lens gives that within 1 m, 30° within 2 m.
 */
export function defaultGeometry(cameras: number, lengthM = 5, hfovDeg = 60): CorridorGeometry {
  if (!Number.isInteger(cameras) || cameras < 1) throw new RangeError('a corridor needs at least one camera');
  const focalPx = 640 / (2 * Math.tan((hfovDeg * Math.PI) / 360));
  const cams: CorridorCamera[] = [];
  for (let i = 0; i < cameras; i++) {
    // From 2.5 m into the corridor to 0.4 m past the door, alternately a little off the axis.
    const z = cameras === 1 ? lengthM + 0.4 : 2.5 + ((lengthM + 0.4 - 2.5) * i) / (cameras - 1);
    cams.push({ id: `cam${i + 1}`, z, x: i % 2 === 0 ? 0 : 0.25, focalPx, width: 640, height: 480 });
  }
  return { lengthM, exitZoneM: 0.8, cameras: cams };
}
