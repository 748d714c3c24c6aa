import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import type { ReferenceQuality } from '../../kiosk/enrolment/reference-store.ts';

export interface StoreFixture {
  dir: string;
  path: string;
  keyPath: string;
  clock: SimulatedClock;
  open(keyPath?: string, path?: string): ReferenceStore;
  cleanup(): void;
}

export function storeFixture(): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), 'egate-enrol-'));
  const path = join(dir, 'references.sqlite');
  const keyPath = join(dir, 'keys', 'enrolment.key');
  const clock = new SimulatedClock();
  return {
    dir,
    path,
    keyPath,
    clock,
    open: (k = keyPath, p = path) => ReferenceStore.open({ path: p, keyPath: k, clock }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A deterministic, L2-normalised 512-value template distinct per seed. */
export function template(seed: number): Float32Array {
  const t = new Float32Array(512);
  let x = seed * 7919 + 1;
  for (let i = 0; i < t.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    t[i] = x / 2147483648 - 0.5;
  }
  const n = Math.hypot(...t);
  return t.map((v) => v / n);
}

export const QUALITY: ReferenceQuality = {
  interEyePx: 88,
  yaw: 2.5,
  pitch: -1.25,
  roll: 0.5,
  sharpness: 310,
  exposure: 121,
  faceCount: 1,
  detectionScore: 0.99,
  box: [100, 80, 300, 330],
};

/** Every 32-byte window of the template's stored (little-endian float32) bytes. */
export function templateWindows(t: Float32Array): Buffer[] {
  const b = Buffer.alloc(t.length * 4);
  t.forEach((v, i) => b.writeFloatLE(v, i * 4));
  const out: Buffer[] = [];
  for (let i = 0; i + 32 <= b.length; i += 32) out.push(b.subarray(i, i + 32));
  return out;
}
