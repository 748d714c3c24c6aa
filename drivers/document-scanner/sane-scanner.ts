import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { checkRequest, pixelsFor, ScannerError, type DocumentScanner, type Scan, type ScanRequest } from './interface.ts';

export interface SaneScannerOptions {
  /** SANE device name, e.g. `genesys:libusb:001:004`; `test` is SANE's test backend. */
  device: string;
  /** Whole-scan bound: a flatbed at 600 dpi takes 10–30 s for a photo-sized area. */
  timeoutMs: number;
  /** Extra backend options, e.g. ['--read-delay=yes'] for the test backend. */
  extraArgs?: string[];
  scanimagePath?: string;
  /** An image larger than this is refused (a runaway device), default 64 MB. */
  maxBytes?: number;
}

/** Grace between SIGTERM and SIGKILL when aborting; real time, reaping a process is not kiosk time. */
const KILL_GRACE_MS = 2000;

/**
 * A SANE scanner through `scanimage` (one child process per scan, PNG on stdout). SANE's own
 * C API would need a native addon; scanimage is its reference front end, in sane-utils, and
 * being a separate process a hung USB scanner can always be killed without taking the kiosk.
 */
export class SaneScanner implements DocumentScanner {
  readonly name: string;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #abort: ((code: 'SCANNER_CANCELLED' | 'SCANNER_TIMEOUT' | 'SCANNER_CLOSED') => void) | undefined;
  #closed = false;

  constructor(private readonly opts: SaneScannerOptions, private readonly clock: Clock) {
    this.name = `scanner:${opts.device}`;
  }

  scan(request: ScanRequest): Promise<Scan> {
    if (this.#closed) return Promise.reject(new ScannerError(this.name, 'SCANNER_CLOSED', 'scanner is closed'));
    if (this.#child) return Promise.reject(new ScannerError(this.name, 'SCANNER_BUSY', 'a scan is already running'));
    try {
      checkRequest(this.name, request);
    } catch (err) {
      return Promise.reject(err);
    }
    const { x, y, width, height } = request.area;
    const args = ['-d', this.opts.device, '--format=png', `--mode=${request.mode === 'color' ? 'Color' : 'Gray'}`, `--resolution=${request.dpi}`,
      '-l', String(x), '-t', String(y), '-x', String(width), '-y', String(height), ...(this.opts.extraArgs ?? [])];
    const child = spawn(this.opts.scanimagePath ?? 'scanimage', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const max = this.opts.maxBytes ?? 64 * 1024 * 1024;
    return new Promise<Scan>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let stderr = '';
      let failure: ScannerError | undefined;
      let timer: TimerHandle | undefined;
      const fail = (e: ScannerError): void => {
        failure ??= e;
        stop(child);
      };
      this.#abort = (code) => fail(new ScannerError(this.name, code, code === 'SCANNER_TIMEOUT' ? `no image within ${this.opts.timeoutMs} ms` : code === 'SCANNER_CLOSED' ? 'scanner closed during the scan' : 'scan cancelled'));
      timer = this.clock.setTimeout(() => this.#abort?.('SCANNER_TIMEOUT'), this.opts.timeoutMs);
      child.stdout.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes > max) fail(new ScannerError(this.name, 'SCANNER_BAD_IMAGE', `image larger than ${max} bytes`));
        else chunks.push(c);
      });
      child.stderr.on('data', (c: Buffer) => { if (stderr.length < 4096) stderr += c.toString('utf8'); });
      child.on('error', (err) => fail(new ScannerError(this.name, 'SCANNER_UNAVAILABLE', `scanimage could not start: ${err.message}`)));
      child.on('close', (code) => {
        this.clock.clearTimeout(timer);
        timer = undefined;
        this.#child = undefined;
        this.#abort = undefined;
        if (failure) return reject(failure);
        if (code !== 0) return reject(new ScannerError(this.name, 'SCANNER_UNAVAILABLE', `scanimage exited ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
        const png = new Uint8Array(Buffer.concat(chunks));
        verify(this.name, png, request).then((size) => resolve({ png, ...size, dpi: request.dpi, at: this.clock.now() }), reject);
      });
    });
  }

  cancel(): void {
    this.#abort?.('SCANNER_CANCELLED');
  }

  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    this.#abort?.('SCANNER_CLOSED');
    if (child && child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('close', r));
  }
}

function stop(child: ChildProcessByStdio<null, Readable, Readable>): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const grace = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  child.once('close', () => clearTimeout(grace));
}

/** A whole PNG of about the requested size, or SCANNER_BAD_IMAGE. */
export async function verify(name: string, png: Uint8Array, r: ScanRequest): Promise<{ width: number; height: number }> {
  let meta;
  try {
    meta = await sharp(png, { failOn: 'error' }).metadata();
    await sharp(png, { failOn: 'error' }).raw().toBuffer(); // a truncated PNG fails here, not later
  } catch (err) {
    throw new ScannerError(name, 'SCANNER_BAD_IMAGE', `not a whole PNG image (${png.length} bytes)`, { cause: err });
  }
  const w = pixelsFor(r.area.width, r.dpi);
  const h = pixelsFor(r.area.height, r.dpi);
  if (meta.format !== 'png' || !meta.width || !meta.height || Math.abs(meta.width - w) > 2 + w * 0.01 || Math.abs(meta.height - h) > 2 + h * 0.01) {
    throw new ScannerError(name, 'SCANNER_BAD_IMAGE', `image ${meta.width}×${meta.height} ${meta.format}, expected about ${w}×${h} png`);
  }
  return { width: meta.width, height: meta.height };
}
