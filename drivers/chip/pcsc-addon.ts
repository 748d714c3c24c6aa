import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { DeviceError } from '../../core/errors.ts';

/** The part of @pokusew/pcsclite the chip reader uses (typed here: the package is optional). */
export interface PcscReader extends EventEmitter {
  name: string;
  state: number;
  connected: boolean;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_PRESENT: number;
  SCARD_RESET_CARD: number;
  connect(opts: { share_mode?: number }, cb: (err: unknown, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, res: Buffer) => void): void;
  close(): void;
}

export interface Pcsc extends EventEmitter {
  close(): void;
}

export type PcscFactory = () => Pcsc;

/**
 * How to repair a gate whose addon is missing. npm builds the optional addon only when the
 * PC/SC headers exist at install time; a library installed afterwards needs a rebuild.
 */
export const PCSC_FIX = 'install the PC/SC library (apt-get install libpcsclite-dev pcscd), then rebuild the addon (npm rebuild @pokusew/pcsclite)';

/**
 * Loads the PC/SC addon, or fails with PCSC_UNAVAILABLE saying how to fix it. `load` is the
 * module loader (injectable so that a missing build can be tested on a machine that has it).
 */
export function loadPcscAddon(load: (id: string) => unknown = createRequire(import.meta.url)): PcscFactory {
  let mod: unknown;
  try {
    mod = load('@pokusew/pcsclite');
  } catch (err) {
    const why = (err as { code?: string }).code ?? (err as Error).message?.split('\n')[0] ?? 'load failed';
    throw new DeviceError('chip reader', 'PCSC_UNAVAILABLE', `the PC/SC addon @pokusew/pcsclite is missing or did not build (${why}): ${PCSC_FIX}`, { cause: err });
  }
  if (typeof mod !== 'function') throw new DeviceError('chip reader', 'PCSC_UNAVAILABLE', `@pokusew/pcsclite exports no factory: ${PCSC_FIX}`);
  return mod as PcscFactory;
}
