import type { ApduTransport } from '../../drivers/chip/interface.ts';

/** A chip that replays a recorded exchange and fails on any command that differs. */
export class ScriptedChip implements ApduTransport {
  #i = 0;
  constructor(private readonly script: [string, string][]) {}
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const step = this.script[this.#i++];
    const got = Buffer.from(apdu).toString('hex').toUpperCase();
    if (!step) throw new Error(`unexpected command ${got}`);
    if (got !== step[0].toUpperCase()) throw new Error(`command ${this.#i}: expected ${step[0]}, got ${got}`);
    return Buffer.from(step[1], 'hex');
  }
  get finished(): boolean {
    return this.#i === this.script.length;
  }
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** Hands out the given byte strings in order, for nonces and keys of worked examples. */
export function fixedRandom(...values: string[]): (n: number) => Buffer {
  let i = 0;
  return (n: number) => {
    const v = hex(values[i++] ?? '');
    if (v.length !== n) throw new Error(`fixed random ${i}: wanted ${n} bytes, have ${v.length}`);
    return v;
  };
}
