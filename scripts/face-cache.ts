/**
 * Embedding cache for the accuracy benchmarks: each photo (or each derived image: a chip
 * portrait, a mirrored frame, a sequence frame) goes through the networks once; pair scoring
 * afterwards is only dot products. Lives in var/face-cache/ (not in git).
 *
 * Entries are keyed by the SHA-256 of the input bytes plus a variant name, inside a folder
 * named after a digest of the models and the face-engine sources: a changed network or
 * pre-processing step can never serve a stale template.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceEngine, FaceQuality, ImageInput } from '../kiosk/biometrics/index.ts';
import { errorCode } from '../kiosk/errors.ts';
import { loadManifest } from '../models/provision.ts';

const ROOT = new URL('../var/face-cache/', import.meta.url).pathname;
const ENGINE_SRC = new URL('../kiosk/biometrics/', import.meta.url).pathname;

export interface CachedFace {
  /** 512 values, L2-normalised; null when no face was found (the pair then scores −∞). */
  template: Float32Array | null;
  /** Face box in the input's pixels (after EXIF orientation); null without a face. */
  box: [number, number, number, number] | null;
  /** Error code when extraction failed. */
  code?: string;
  /** Extra numbers a benchmark wants to keep (liveness, sharpness, …). */
  extra?: Record<string, number | null>;
}

interface Stored { t: string | null; box: CachedFace['box']; code?: string; extra?: CachedFace['extra'] }

/** The face-engine sources that turn pixels into a template, box and liveness (not decisions or metrics). */
const PIPELINE_FILES = ['align.ts', 'decode.ts', 'detect.ts', 'embed.ts', 'landmarks.ts', 'liveness.ts', 'pipeline.ts', 'quality.ts', 'resample.ts', 'worker.ts'];

/** Digest of what decides a template: model hashes and the pipeline's source files. */
export function engineDigest(): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(loadManifest().models.map((m) => m.sha256)));
  for (const f of PIPELINE_FILES) h.update(f).update(readFileSync(join(ENGINE_SRC, f)));
  return h.digest('hex').slice(0, 12);
}

export const bytesKey = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 24);

export class FaceCache {
  private readonly entries = new Map<string, Stored>();
  private dirty = 0;
  readonly path: string;

  constructor(namespace: string, root = ROOT) {
    const dir = join(root, engineDigest());
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${namespace.replace(/[^\w.-]+/g, '_')}.json`);
    if (existsSync(this.path)) for (const [k, v] of Object.entries(JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, Stored>)) this.entries.set(k, v);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedFace | undefined {
    const s = this.entries.get(key);
    if (!s) return undefined;
    const template = s.t === null ? null : new Float32Array(new Uint8Array(Buffer.from(s.t, 'base64')).buffer);
    return { template, box: s.box, ...(s.code ? { code: s.code } : {}), ...(s.extra ? { extra: s.extra } : {}) };
  }

  /** Stores an entry; the file is rewritten every 200 entries and on save() so a killed run keeps its work. */
  set(key: string, v: CachedFace): void {
    this.entries.set(key, { t: v.template ? Buffer.from(v.template.buffer, v.template.byteOffset, v.template.byteLength).toString('base64') : null, box: v.box, ...(v.code ? { code: v.code } : {}), ...(v.extra ? { extra: v.extra } : {}) });
    if (++this.dirty >= 200) this.save();
  }

  /** Writes the file, first merging what another process saved meanwhile (two benchmarks may share a namespace). */
  save(): void {
    if (!this.dirty) return;
    if (existsSync(this.path)) {
      try {
        for (const [k, v] of Object.entries(JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, Stored>)) if (!this.entries.has(k)) this.entries.set(k, v);
      } catch {
        // A torn or foreign file: ours replaces it.
      }
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(tmp, this.path);
    this.dirty = 0;
  }
}

/**
 * Runs `work` over items with `concurrency` in flight, printing a progress line to stderr at
 * most every 5 s (rate and time left) so a long run shows it is alive.
 */
export async function withProgress<T>(label: string, items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0, done = 0, last = performance.now();
  const t0 = last;
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, async () => {
    while (next < items.length) {
      await work(items[next++]!);
      done++;
      const now = performance.now();
      if (now - last > 5000 || done === items.length) {
        last = now;
        const rate = done / ((now - t0) / 1000);
        process.stderr.write(`${label}: ${done}/${items.length} (${rate.toFixed(1)}/s, ${((items.length - done) / rate).toFixed(0)} s left)\n`);
      }
    }
  }));
}

/**
 * Templates of many images through the engine, each image once: cached entries are reused,
 * the rest extracted `concurrency` at a time with a progress line. `load` gives the bytes
 * (or frame) of item `i`, `key` its cache key.
 */
export async function extractAll<T>(
  engine: Pick<FaceEngine, 'extractReference'>,
  cache: FaceCache | null,
  items: readonly T[],
  o: { label: string; concurrency: number; key: (item: T) => Promise<string>; load: (item: T) => Promise<ImageInput> },
): Promise<Map<T, CachedFace>> {
  const out = new Map<T, CachedFace>();
  await withProgress(o.label, items, o.concurrency, async (item) => {
    const key = await o.key(item);
    const hit = cache?.get(key);
    if (hit) { out.set(item, hit); return; }
    let v: CachedFace;
    try {
      const r = await engine.extractReference(await o.load(item));
      v = { template: r.template, box: r.quality.box };
    } catch (err) {
      v = { template: null, box: null, code: errorCode(err) };
    }
    cache?.set(key, v);
    out.set(item, v);
  });
  cache?.save();
  return out;
}

export interface VerifiedFrame { template: Float32Array | null; quality: FaceQuality | null; liveness: number | null; code?: string }

/**
 * One live frame through engine.verify (template, quality and liveness in one pass), cached by
 * the frame's bytes. The reference only fills the unused score: any 512-value template does.
 */
export async function verifyCached(engine: Pick<FaceEngine, 'verify'>, cache: FaceCache | null, bytes: Uint8Array): Promise<VerifiedFrame> {
  const key = `${bytesKey(bytes)}:verify`;
  const hit = cache?.get(key);
  if (hit) return { template: hit.template, quality: (hit.extra?.quality as unknown as FaceQuality) ?? null, liveness: hit.extra?.liveness ?? null, ...(hit.code ? { code: hit.code } : {}) };
  let f: VerifiedFrame;
  try {
    const r = await engine.verify({ template: ANY_TEMPLATE, source: 'enrolment' }, bytes);
    f = { template: r.template ?? null, quality: r.quality, liveness: r.liveness, ...(r.decision === 'no_face' ? { code: 'NO_FACE' } : {}) };
  } catch (err) {
    f = { template: null, quality: null, liveness: null, code: errorCode(err) };
  }
  cache?.set(key, { template: f.template, box: f.quality?.box ?? null, ...(f.code ? { code: f.code } : {}), extra: { liveness: f.liveness, quality: f.quality as unknown as number } });
  return f;
}

const ANY_TEMPLATE = new Float32Array(512).fill(1 / Math.sqrt(512));
