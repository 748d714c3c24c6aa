import type { KeyObject } from 'node:crypto';
import { Pkcs11Signer, type Pkcs11KeyRef } from '../../core/pkcs11-signer.ts';
import { keyId } from '../../kiosk/key-pair-file.ts';
import { encodeCbor, Tag } from '../../kiosk/tokens/cbor.ts';
import { signEs256 } from '../../kiosk/tokens/cose-key.ts';
import { encryptToFleet } from '../../kiosk/tokens/cose-encrypt.ts';
import { sigStructure, sign1Protected, TAG_SIGN1 } from '../../kiosk/tokens/cose-sign1.ts';
import type { CentralConfig } from '../config.ts';
import { CentralError } from '../errors.ts';
import { loadCommandKey } from './central-key.ts';

/**
 * Where the central command key signs: a PEM file, or a PKCS#11 token (an HSM; SoftHSM2 in
 * tests) whose private key never leaves it. Either way the gate sees the same COSE_Sign1
 * ES256 message (kiosk/sync/command-sign.ts, command-seal.ts) and verifies it with the
 * public half it was given.
 */
export interface CommandSigner {
  readonly publicKey: KeyObject;
  /** ES256 over `data`: 64 bytes r‖s (IEEE P1363, as COSE wants). */
  es256(data: Uint8Array): Uint8Array;
  close(): void;
}

export function fileSigner(path: string): CommandSigner {
  const k = loadCommandKey(path);
  return { publicKey: k.publicKey, es256: (data) => signEs256(k.privateKey, data), close: () => {} };
}

/** The token's key; the PIN comes from the environment (EGATE_PKCS11_PIN), never from config. */
export function pkcs11Signer(ref: Omit<Pkcs11KeyRef, 'pin'>, pin = process.env.EGATE_PKCS11_PIN): CommandSigner {
  if (!pin) throw new CentralError('CENTRAL_KEY', 'commands.pkcs11 is configured but EGATE_PKCS11_PIN is not set');
  let s: Pkcs11Signer;
  try {
    s = Pkcs11Signer.open({ ...ref, pin });
  } catch (err) {
    throw new CentralError('CENTRAL_KEY', `central command key on token ${ref.tokenLabel}: ${(err as Error).message}`, { cause: err });
  }
  if (s.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    s.close();
    throw new CentralError('CENTRAL_KEY', `key ${ref.keyLabel} on ${ref.tokenLabel} is not P-256`);
  }
  return { publicKey: s.publicKey, es256: (data) => derToP1363(s.sign(data)), close: () => s.close() };
}

/** A DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) as r‖s, 32 bytes each. */
export function derToP1363(der: Uint8Array): Uint8Array {
  const fail = (): never => {
    throw new CentralError('CENTRAL_KEY', 'token returned a malformed ECDSA signature');
  };
  if (der[0] !== 0x30) fail();
  let i = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const out = new Uint8Array(64);
  for (let n = 0; n < 2; n++) {
    if (der[i] !== 0x02) fail();
    const len = der[i + 1]!;
    let v = der.subarray(i + 2, i + 2 + len);
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32 || i + 2 + len > der.length) fail();
    out.set(v, n * 32 + 32 - v.length);
    i += 2 + len;
  }
  return out;
}

export function sign1(signer: CommandSigner, payload: Uint8Array): Uint8Array {
  const protectedBytes = sign1Protected();
  return encodeCbor(new Tag([protectedBytes, new Map(), payload, signer.es256(sigStructure(protectedBytes, payload))], TAG_SIGN1));
}

/** signCommand (kiosk/sync/command-sign.ts) with the key wherever it lives. */
export function signCommandWith(signer: CommandSigner, command: Record<string, unknown>): Uint8Array {
  return sign1(signer, new Uint8Array(Buffer.from(JSON.stringify(command), 'utf8')));
}

/** sealCommand (kiosk/sync/command-seal.ts) with the key wherever it lives: encrypted to the gate, then signed. */
export function sealCommandWith(signer: CommandSigner, gatePublicKey: KeyObject, command: Record<string, unknown>): Uint8Array {
  const plaintext = new Uint8Array(Buffer.from(JSON.stringify(command), 'utf8'));
  return sign1(signer, encryptToFleet(plaintext, gatePublicKey, keyId(gatePublicKey)));
}

/** The configured signer (config.commands: keyPath or pkcs11). */
export function openCommandSigner(c: Pick<CentralConfig['commands'], 'keyPath' | 'pkcs11'>, pin = process.env.EGATE_PKCS11_PIN): CommandSigner {
  if (c.pkcs11) return pkcs11Signer(c.pkcs11, pin);
  if (c.keyPath) return fileSigner(c.keyPath);
  throw new CentralError('CENTRAL_KEY', 'no central command key configured');
}
