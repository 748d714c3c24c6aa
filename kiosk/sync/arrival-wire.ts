import type { KeyObject } from 'node:crypto';
import { EgateError } from '../errors.ts';
import { decryptWithFleetKey, parseEncrypted } from '../tokens/cose-encrypt.ts';

/**
 * The arrival records' wire format, shared by the counter (kiosk/counter/arrival-sync.ts) and
 * the central collector (central/ingest/arrivals.ts) so neither imports the other's internals.
 * Code: ARRIVAL_TAMPERED (not a batch, a record that does not open, another counter's record).
 */
export class ArrivalWireError extends EgateError {}

/** What goes on the arrivals topic: sealed records only (the portrait inside the COSE_Encrypt), the counter and a batch id in clear. */
export interface ArrivalBatch {
  gate: string;
  batch: string;
  arrivals: { arrival: string; sealed: string }[];
}

/** Central's receipt on arrivals/ack, signed (COSE_Sign1 ES256) with the central command key: these records are stored centrally. */
export interface ArrivalAck {
  gate: string;
  batch: string;
  arrivals: string[];
}

/** A record as opened by central. */
export interface OpenedArrival {
  arrival: string;
  counter: string;
  portrait: Uint8Array;
  facts: { decision: 'accept' | 'refer'; officer: string; match_score: number | null; liveness_score: number | null; quality: number | null };
  createdMs: number;
  expiresMs: number;
}

/** Opens one sealed arrival with the central arrival private key (ARRIVAL_TAMPERED otherwise). */
export function openArrival(s: { arrival: string; sealed: Uint8Array }, centralPrivateKey: KeyObject): OpenedArrival {
  try {
    const body = JSON.parse(Buffer.from(decryptWithFleetKey(parseEncrypted(s.sealed), centralPrivateKey)).toString('utf8')) as Omit<OpenedArrival, 'portrait'> & { portrait: string };
    if (body.arrival !== s.arrival) throw new Error('arrival id differs from its envelope');
    return { ...body, portrait: new Uint8Array(Buffer.from(body.portrait, 'base64')) };
  } catch (err) {
    throw new ArrivalWireError('ARRIVAL_TAMPERED', 'sealed arrival does not open with this key', { cause: err });
  }
}

/**
 * The central side of a batch: parses it and opens every record (so a forged or relabelled
 * batch is refused whole), and builds the receipt's payload for the caller to sign with the
 * central command key (a file key or a PKCS#11 token).
 */
export function openArrivalBatch(payload: Uint8Array, arrivalPrivateKey: KeyObject): { batch: ArrivalBatch; records: OpenedArrival[]; ack: Uint8Array } {
  let b: ArrivalBatch;
  try {
    b = JSON.parse(Buffer.from(payload).toString('utf8')) as ArrivalBatch;
    if (typeof b.gate !== 'string' || typeof b.batch !== 'string' || !Array.isArray(b.arrivals)) throw new Error('shape');
    if (b.arrivals.some((a) => typeof a?.arrival !== 'string' || typeof a?.sealed !== 'string')) throw new Error('record shape');
  } catch (err) {
    throw new ArrivalWireError('ARRIVAL_TAMPERED', 'not an arrival batch', { cause: err });
  }
  const records = b.arrivals.map((a) => openArrival({ arrival: a.arrival, sealed: new Uint8Array(Buffer.from(a.sealed, 'base64')) }, arrivalPrivateKey));
  // a record sealed by another counter, relabelled into this batch
  if (records.some((r) => r.counter !== b.gate)) throw new ArrivalWireError('ARRIVAL_TAMPERED', 'a record of another counter in the batch');
  const ack: ArrivalAck = { gate: b.gate, batch: b.batch, arrivals: records.map((r) => r.arrival) };
  return { batch: b, records, ack: new Uint8Array(Buffer.from(JSON.stringify(ack), 'utf8')) };
}
