import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Fetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { FetchRefusedError } from './update-error.ts';

/**
 * The fetcher tuf-js downloads through. Unlike tuf-js's default (system temp directory,
 * make-fetch-happen with retries), partial files go to the gate's own staging directory
 * under dataDir, which strict modes protect, and every download stops at the byte the
 * signed metadata allows: the server cannot fill the gate's disk (endless-data attack).
 * One attempt per call; the caller retries at its next update check.
 */
export class StagingFetcher implements Fetcher {
  /** The last refusal of this fetcher: tuf-js folds it into its own errors. */
  lastError: FetchRefusedError | undefined;

  constructor(
    private readonly partDir: string,
    private readonly timeoutMs: number,
  ) {
    mkdirSync(partDir, { recursive: true, mode: 0o700 });
  }

  async downloadFile<T>(url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T> {
    const part = join(this.partDir, `${randomBytes(8).toString('hex')}.part`);
    try {
      const res = await this.open(url);
      let received = 0;
      const limit = new Transform({
        transform: (chunk: Buffer, _enc, done) => {
          received += chunk.length;
          if (received > maxLength) done(this.refuse('UPDATE_OVERSIZED', url, `${url} sent more than the ${maxLength} bytes its signed metadata allows`));
          else done(null, chunk);
        },
      });
      await pipeline(res, limit, createWriteStream(part, { mode: 0o600 }));
      return await handler(part);
    } finally {
      rmSync(part, { force: true });
    }
  }

  async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    return this.downloadFile(url, maxLength, (file) => readFile(file));
  }

  private refuse(code: 'UPDATE_OVERSIZED' | 'UPDATE_UNREACHABLE', url: string, message: string): FetchRefusedError {
    this.lastError = new FetchRefusedError(code, url, message);
    return this.lastError;
  }

  private open(url: string): Promise<IncomingMessage> {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    return new Promise((resolve, reject) => {
      const req = get(url, { timeout: this.timeoutMs }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          // tuf-js's own class: it reads a 404 on <v+1>.root.json as "no newer root".
          reject(new DownloadHTTPError(`${url} answered HTTP ${res.statusCode}`, res.statusCode ?? 0));
          return;
        }
        resolve(res);
      });
      req.on('timeout', () => req.destroy(this.refuse('UPDATE_UNREACHABLE', url, `${url} did not answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof FetchRefusedError ? e : this.refuse('UPDATE_UNREACHABLE', url, `${url}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    });
  }
}
