/**
 * Cuts a byte stream of back-to-back fixed-size raw frames (ffmpeg `-f rawvideo`) into
 * frames. Pipe chunks (64 KiB on Linux) rarely align with frames, so a frame that spans
 * chunks is assembled in one fresh buffer — each byte is copied exactly once. A frame that
 * lies wholly inside one chunk is handed out as a view of that chunk, with no copy: Node
 * gives every read its own buffer, so the view is never overwritten.
 */
export class FrameSplitter {
  #partial: Uint8Array | undefined;
  #filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (data: Uint8Array) => void,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError('frameBytes must be a positive integer');
  }

  /** Bytes held towards an incomplete frame. */
  get pending(): number {
    return this.#filled;
  }

  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const rest = chunk.length - off;
      if (this.#partial) {
        const take = Math.min(rest, this.frameBytes - this.#filled);
        this.#partial.set(chunk.subarray(off, off + take), this.#filled);
        this.#filled += take;
        off += take;
        if (this.#filled === this.frameBytes) {
          const done = this.#partial;
          this.#partial = undefined;
          this.#filled = 0;
          this.onFrame(done);
        }
      } else if (rest >= this.frameBytes) {
        this.onFrame(chunk.subarray(off, off + this.frameBytes));
        off += this.frameBytes;
      } else {
        this.#partial = new Uint8Array(this.frameBytes);
        this.#partial.set(chunk.subarray(off), 0);
        this.#filled = rest;
        off = chunk.length;
      }
    }
  }

  /** Drops an incomplete frame (the source restarted; its tail would misalign the next one). */
  reset(): void {
    this.#partial = undefined;
    this.#filled = 0;
  }
}
