import sharp, { type OverlayOptions } from 'sharp';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { checkRequest, pixelsFor, ScannerError, type DocumentScanner, type Scan, type ScanRequest } from './interface.ts';

/** A print lying on the glass: where (mm from the top-left corner), how big (mm), turned by how much. */
export interface PlacedPrint {
  image: Uint8Array;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Degrees clockwise (an applicant rarely lays a photo perfectly square). */
  angle?: number;
}

/**
 * The simulated flatbed: renders what lies on the glass (white lid, the placed prints) at the
 * requested dpi and area, after `scanMs` of clock time, as a PNG, like scanimage would. As strict
 * as the device: one scan at a time, the same request checks, cancel and close abort. Test
 * controls beside the interface: place, clear, failNext, scanMs.
 */
export class DocumentScannerTwin implements DocumentScanner {
  readonly name = 'scanner:twin';
  scanMs = 1500;
  #prints: PlacedPrint[] = [];
  #failNext: 'SCANNER_UNAVAILABLE' | 'SCANNER_BAD_IMAGE' | 'hang' | undefined;
  #running: { timer: TimerHandle | undefined; reject: (e: ScannerError) => void } | undefined;
  #closed = false;

  constructor(private readonly clock: Clock, private readonly timeoutMs = 60_000) {}

  /** Test control: lays a print on the glass (replacing none: several prints may lie there). */
  place(print: PlacedPrint): void {
    this.#prints.push(print);
  }

  /** Test control: lifts every print off the glass. */
  clear(): void {
    this.#prints = [];
  }

  /** Test control: the next scan fails this way ('hang': the device never answers, so it times out). */
  failNext(how: 'SCANNER_UNAVAILABLE' | 'SCANNER_BAD_IMAGE' | 'hang'): void {
    this.#failNext = how;
  }

  scan(request: ScanRequest): Promise<Scan> {
    if (this.#closed) return Promise.reject(new ScannerError(this.name, 'SCANNER_CLOSED', 'scanner is closed'));
    if (this.#running) return Promise.reject(new ScannerError(this.name, 'SCANNER_BUSY', 'a scan is already running'));
    try {
      checkRequest(this.name, request);
    } catch (err) {
      return Promise.reject(err);
    }
    const how = this.#failNext;
    this.#failNext = undefined;
    const prints = [...this.#prints];
    return new Promise<Scan>((resolve, reject) => {
      const finish = (): void => {
        this.clock.clearTimeout(timeout);
        this.#running = undefined;
      };
      const running = {
        timer: undefined as TimerHandle | undefined,
        reject: (e: ScannerError) => { this.clock.clearTimeout(running.timer); finish(); reject(e); },
      };
      this.#running = running;
      const timeout = this.clock.setTimeout(() => running.reject(new ScannerError(this.name, 'SCANNER_TIMEOUT', `no image within ${this.timeoutMs} ms`)), this.timeoutMs);
      if (how === 'hang') return;
      running.timer = this.clock.setTimeout(() => {
        if (how === 'SCANNER_UNAVAILABLE') return running.reject(new ScannerError(this.name, how, 'scanner stopped answering'));
        render(prints, request).then(
          (png) => {
            if (this.#running !== running) return; // cancelled while rendering
            finish();
            if (how === 'SCANNER_BAD_IMAGE') return reject(new ScannerError(this.name, how, 'image truncated'));
            resolve({ png, width: pixelsFor(request.area.width, request.dpi), height: pixelsFor(request.area.height, request.dpi), dpi: request.dpi, at: this.clock.now() });
          },
          (err: Error) => running.reject(new ScannerError(this.name, 'SCANNER_UNAVAILABLE', `twin could not render: ${err.message}`)),
        );
      }, this.scanMs);
    });
  }

  cancel(): void {
    this.#running?.reject(new ScannerError(this.name, 'SCANNER_CANCELLED', 'scan cancelled'));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#running?.reject(new ScannerError(this.name, 'SCANNER_CLOSED', 'scanner closed during the scan'));
  }
}

/** The glass under the lid at `dpi`: white, with every print scaled, turned and laid where it lies. */
async function render(prints: PlacedPrint[], r: ScanRequest): Promise<Uint8Array> {
  const W = pixelsFor(r.area.width, r.dpi);
  const H = pixelsFor(r.area.height, r.dpi);
  const px = (mm: number): number => Math.round((mm / 25.4) * r.dpi);
  const layers: OverlayOptions[] = [];
  for (const p of prints) {
    const img = await sharp(p.image).rotate().resize(Math.max(1, px(p.width)), Math.max(1, px(p.height)), { fit: 'fill' })
      .rotate(p.angle ?? 0, { background: '#ffffff' }).png().toBuffer();
    const meta = await sharp(img).metadata();
    // Centre of the print stays where it was laid; clip to the scanned area.
    const left = px(p.x + p.width / 2 - r.area.x) - Math.round(meta.width! / 2);
    const top = px(p.y + p.height / 2 - r.area.y) - Math.round(meta.height! / 2);
    if (left >= W || top >= H || left + meta.width! <= 0 || top + meta.height! <= 0) continue;
    const cl = Math.max(0, -left), ct = Math.max(0, -top);
    const cw = Math.min(meta.width! - cl, W - Math.max(0, left)), ch = Math.min(meta.height! - ct, H - Math.max(0, top));
    layers.push({ input: await sharp(img).extract({ left: cl, top: ct, width: cw, height: ch }).toBuffer(), left: Math.max(0, left), top: Math.max(0, top) });
  }
  let out = sharp({ create: { width: W, height: H, channels: 3, background: '#fbfbf8' } }).composite(layers);
  if (r.mode === 'gray') out = out.toColourspace('b-w');
  return new Uint8Array(await out.png().toBuffer());
}
