import type { KeyObject } from 'node:crypto';
import { keyId } from '../key-pair-file.ts';
import { encryptToFleet } from '../tokens/cose-encrypt.ts';
import type { ArrivalRecord, ArrivalRecordStore } from './arrival-record.ts';

/** One arrival record as it leaves the counter: readable only with the central arrival key. */
export interface SealedArrival {
  arrival: string;
  /** COSE_Encrypt (A256GCM, ECDH-ES + HKDF-256 to the central arrival key) of the record's JSON. */
  sealed: Uint8Array;
}

/**
 * Seals a record to the central system's arrival key with the same COSE_Encrypt the tokens
 * and the secret central commands use (kiosk/tokens/cose-encrypt.ts). The counter, the broker
 * and anyone between hold only ciphertext; the counter cannot read what it sent.
 */
export function sealArrival(r: ArrivalRecord, counter: string, centralKey: KeyObject): SealedArrival {
  const body = JSON.stringify({ arrival: r.arrival, counter, portrait: Buffer.from(r.portrait).toString('base64'), facts: r.facts, createdMs: r.createdMs, expiresMs: r.expiresMs });
  return { arrival: r.arrival, sealed: encryptToFleet(new Uint8Array(Buffer.from(body, 'utf8')), centralKey, keyId(centralKey)) };
}

/** The central side's opening lives with the wire format (central uses it too). */
export { openArrival } from '../sync/arrival-wire.ts';

/**
 * One collection round: every live record sealed to central and handed to `send` (the sync
 * link publishes them); a record is deleted here only once `send` resolves true (central
 * stored it). A failed send leaves them for the next round, until their life ends.
 */
export async function collectArrivals(store: Pick<ArrivalRecordStore, 'live' | 'remove'>, opts: { nowMs: number; counter: string; centralKey: KeyObject; send: (batch: SealedArrival[]) => Promise<boolean> }): Promise<number> {
  const batch = store.live(opts.nowMs).map((r) => sealArrival(r, opts.counter, opts.centralKey));
  if (batch.length === 0) return 0;
  let ok = false;
  try {
    ok = await opts.send(batch);
  } catch {
    ok = false;
  }
  return ok ? store.remove(batch.map((b) => b.arrival)) : 0;
}
