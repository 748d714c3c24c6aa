/**
 * Child process of pcsc-close.test.ts: the Express order on a real PC/SC stack (pcscd +
 * vpcd + vicc) — connect, disconnect, the traveller lifts the passport, and the reader is
 * closed from the continuation of the `removed` event. Prints `closed <ms>` once close()
 * returned and a timer fired after it (the event loop runs). The parent bounds the whole
 * run: on the broken driver this process never prints and is killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcscChipReader } from '../../../drivers/chip/pcsc.ts';
import { makePassports } from '../../../scripts/make-passport.ts';
import { ChipEmulator, VPCD_READER } from './emulator.ts';

const dir = mkdtempSync(join(tmpdir(), 'egate-close-'));
const emu = new ChipEmulator();
try {
  const made = await makePassports(dir, { kinds: ['valid'], faceSize: { width: 64, height: 80 } });
  await emu.start();
  const reader = new PcscChipReader(VPCD_READER);
  await reader.start();
  const present = new Promise<void>((r) => reader.once('present', () => r()));
  await emu.insert(made.passports.get('valid')!);
  if (!reader.cardPresent) await present;
  await reader.connect();
  await reader.disconnect();
  console.log('disconnected');
  const removed = new Promise<void>((r) => reader.once('removed', () => r()));
  await emu.remove();
  await removed;
  const t0 = performance.now();
  await reader.close();
  await new Promise((r) => setTimeout(r, 1));
  console.log(`closed ${Math.round(performance.now() - t0)}`);
} finally {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log('stopped');
// Exit explicitly: what is under test is close() returning with the loop alive (printed above).
// The addon may keep a handle after pcscd is gone (seen once in CI: `closed` printed, then the
// process idled); a gate's shutdown path also exits explicitly rather than waiting for handles.
process.exit(0);
