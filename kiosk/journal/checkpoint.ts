import type { KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { keyId, loadOrCreateKeyPair, publicKeyPath, readPublicKeyFile } from '../key-pair-file.ts';
import { parseSign1, signSign1, verifySign1 } from '../tokens/cose-sign1.ts';

/**
 * Signed checkpoints of the journal's hash chain (docs/decisions.md, "Journal checkpoints").
 * The chain alone is unkeyed: whoever can write the file can rewrite an event and recompute
 * every hash after it, or delete the oldest events and set the anchor to match. A checkpoint
 * is the gate's signature over (gate, seq, hash) of the chain's head, made with a key the
 * journal file does not hold; it is journalled as a `journal_checkpoint` event (so it travels
 * to the central system in the outbox batches like every event) and the anchor a retention
 * purge leaves is signed the same way. Rewriting history then needs the checkpoint key, and
 * what the central system already holds cannot be rewritten at all.
 *
 * Wire format: COSE_Sign1 (tag 18), protected header {1: -7 (ES256), 4: kid}, unprotected
 * header empty, payload = UTF-8 of the RFC 8785 (JCS) JSON
 *   {"gate": G, "hash": H, "kind": "checkpoint" | "anchor", "seq": N, "ts": T, "v": 1}
 * kid = the first 8 bytes of SHA-256 over the public key's SPKI DER.
 */
export const CHECKPOINT_EVENT = 'journal_checkpoint';

export interface CheckpointPayload {
  v: 1;
  kind: 'checkpoint' | 'anchor';
  gate: string;
  seq: number;
  hash: string;
  ts: string;
}

/** Data of a `journal_checkpoint` event: the head it signs, the key id, the COSE_Sign1 in base64. */
export interface CheckpointEventData {
  [k: string]: string | number;
  seq: number;
  hash: string;
  kid: string;
  signed: string;
}

export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Hex of the 8-byte key id. */
  kid: string;
}

export function checkpointKid(publicKey: KeyObject): Uint8Array {
  return keyId(publicKey);
}

function payloadBytes(p: CheckpointPayload): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalize(p) ?? '', 'utf8'));
}

export function signCheckpoint(key: CheckpointKey, p: CheckpointPayload): Uint8Array {
  return signSign1(key.privateKey, payloadBytes(p), Buffer.from(key.kid, 'hex'));
}

export type OpenedCheckpoint = { ok: true; payload: CheckpointPayload } | { ok: false; detail: string };

/** Checks structure, kid and signature, then the payload's shape; nothing here throws. */
export function openCheckpoint(bytes: Uint8Array, publicKey: KeyObject): OpenedCheckpoint {
  let s;
  try {
    s = parseSign1(bytes, 'checkpoint', true);
  } catch {
    return { ok: false, detail: 'not a COSE_Sign1 (ES256, kid) checkpoint' };
  }
  if (!Buffer.from(s.kid!).equals(Buffer.from(checkpointKid(publicKey)))) return { ok: false, detail: 'signed by another key (kid differs)' };
  if (!verifySign1(s, publicKey)) return { ok: false, detail: 'signature does not verify with the checkpoint key' };
  let p: CheckpointPayload;
  try {
    p = JSON.parse(Buffer.from(s.payload).toString('utf8')) as CheckpointPayload;
  } catch {
    return { ok: false, detail: 'payload is not JSON' };
  }
  if (p.v !== 1 || (p.kind !== 'checkpoint' && p.kind !== 'anchor') || typeof p.gate !== 'string' || !Number.isSafeInteger(p.seq) || !/^[0-9a-f]{64}$/.test(String(p.hash))) {
    return { ok: false, detail: 'payload is not a checkpoint' };
  }
  return { ok: true, payload: p };
}

export { publicKeyPath };

/**
 * Loads the checkpoint key, creating it (and its public half `<path>.pub.pem`) on first use;
 * `created` tells the caller to journal the new key's id.
 */
export function loadOrCreateCheckpointKey(path: string): CheckpointKey & { created: boolean } {
  return loadOrCreateKeyPair(path, 'checkpoint key');
}

/** Reads a checkpoint public key (SPKI PEM) for verification. */
export function readCheckpointPublicKey(path: string): KeyObject {
  return readPublicKeyFile(path, 'checkpoint public key');
}
