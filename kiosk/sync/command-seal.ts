import type { KeyObject } from 'node:crypto';
import { keyId } from '../key-pair-file.ts';
import { asTagged, decodeStrict } from '../tokens/cbor.ts';
import { decryptWithFleetKey, encryptToFleet, parseEncrypted, TAG_ENCRYPT } from '../tokens/cose-encrypt.ts';
import { signSign1 } from '../tokens/cose-sign1.ts';
import type { Command } from './command-schema.ts';

/**
 * Central commands that carry traveller data (face templates, raw identity numbers) travel
 * encrypted to the target gate's own key, so a subscriber of the broker reads neither:
 *
 *   COSE_Sign1( payload = COSE_Encrypt( UTF-8 JSON command ) )      — encrypt-then-sign
 *
 * The inner COSE_Encrypt is the one the tokens use (kiosk/tokens/cose-encrypt.ts: A256GCM,
 * one ECDH-ES + HKDF-256 recipient with an ephemeral P-256 key, recipient kid = the gate
 * key's id). The outer COSE_Sign1 is the usual ES256 command signature by the central key.
 * Signing the ciphertext lets the gate check who sent it before doing any decryption work
 * on bytes anyone with publish rights could have sent, and binds the recipient kid so a
 * command cannot be redirected; the signed JSON inside still names its gate, id and iat.
 */
export const SECRET_COMMAND_TYPES: ReadonlySet<string> = new Set(['upsert_enrolments', 'delete_enrolments', 'revoke', 'revoke_visas']);

/** The central side: the command encrypted to the gate's public key, then signed. */
export function sealCommand(centralKey: KeyObject, gatePublicKey: KeyObject, command: Command | Record<string, unknown>): Uint8Array {
  const plaintext = new Uint8Array(Buffer.from(JSON.stringify(command), 'utf8'));
  return signSign1(centralKey, encryptToFleet(plaintext, gatePublicKey, keyId(gatePublicKey)));
}

/** True when a signed payload is a COSE_Encrypt (tag 96) rather than JSON text. */
export function isSealed(payload: Uint8Array): boolean {
  return payload.length > 2 && payload[0] === 0xd8 && payload[1] === TAG_ENCRYPT;
}

export type Unsealed = { ok: true; plaintext: Uint8Array } | { ok: false; code: 'CMD_NO_GATE_KEY' | 'CMD_WRONG_RECIPIENT' | 'CMD_DECRYPT_FAILED'; detail: string };

/** The gate side: decrypts a sealed (already signature-checked) payload with the gate's key. */
export function unsealPayload(payload: Uint8Array, gateKey: { privateKey: KeyObject; publicKey: KeyObject } | undefined): Unsealed {
  if (!gateKey) return { ok: false, code: 'CMD_NO_GATE_KEY', detail: 'this gate has no command key to decrypt with' };
  let enc;
  try {
    asTagged(decodeStrict(payload, 'command'), TAG_ENCRYPT, 'command');
    enc = parseEncrypted(payload);
  } catch {
    return { ok: false, code: 'CMD_DECRYPT_FAILED', detail: 'not a well-formed COSE_Encrypt' };
  }
  if (!Buffer.from(enc.fleetKid).equals(Buffer.from(keyId(gateKey.publicKey)))) {
    return { ok: false, code: 'CMD_WRONG_RECIPIENT', detail: 'encrypted to another key than this gate' };
  }
  try {
    return { ok: true, plaintext: decryptWithFleetKey(enc, gateKey.privateKey) };
  } catch {
    return { ok: false, code: 'CMD_DECRYPT_FAILED', detail: 'decryption failed' };
  }
}
