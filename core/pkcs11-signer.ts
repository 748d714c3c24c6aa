import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';

/**
 * ECDSA P-256 signing with a private key that never leaves a PKCS#11 token (an HSM, a smart
 * card, or SoftHSM2 in tests): the release tool's TUF metadata and central's commands (issue
 * 18, 17). The digest (SHA-256) is computed here and the token signs it (CKM_ECDSA); the
 * signature is returned DER-encoded, as node:crypto verifies it. P-256 rather than Ed25519:
 * the binding's constants and SoftHSM2 builds agree on ECDSA everywhere, EdDSA not.
 */
export interface Pkcs11KeyRef {
  /** The token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  module: string;
  tokenLabel: string;
  pin: string;
  /** CKA_LABEL of the key pair (private and public objects carry the same label). */
  keyLabel: string;
}

export class Pkcs11Error extends Error {
  constructor(
    readonly code: 'PKCS11_TOKEN_NOT_FOUND' | 'PKCS11_KEY_NOT_FOUND' | 'PKCS11_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** DER of the named curve P-256 (OID 1.2.840.10045.3.1.7). */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
/** SPKI header of a P-256 public key, followed by the 65-byte uncompressed point. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

export class Pkcs11Signer {
  readonly #p: pkcs11js.PKCS11;
  readonly #session: Buffer;
  readonly #priv: Buffer;
  readonly publicKey: KeyObject;

  private constructor(p: pkcs11js.PKCS11, session: Buffer, priv: Buffer, publicKey: KeyObject) {
    this.#p = p;
    this.#session = session;
    this.#priv = priv;
    this.publicKey = publicKey;
  }

  /** Opens the token, logs in and finds the key pair; refuses with a typed error when absent. */
  static open(ref: Pkcs11KeyRef): Pkcs11Signer {
    const { p, session } = openSession(ref);
    try {
      const priv = findOne(p, session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: ref.keyLabel },
      ]);
      const pub = findOne(p, session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        { type: pkcs11js.CKA_LABEL, value: ref.keyLabel },
      ]);
      if (!priv || !pub) throw new Pkcs11Error('PKCS11_KEY_NOT_FOUND', `no key pair labelled ${ref.keyLabel} on token ${ref.tokenLabel}`);
      return new Pkcs11Signer(p, session, priv, publicKeyOf(p, session, pub));
    } catch (err) {
      close(p, session);
      throw err;
    }
  }

  /** ECDSA P-256 over SHA-256 of `data`; DER-encoded (node:crypto's default dsaEncoding). */
  sign(data: Uint8Array): Buffer {
    const digest = createHash('sha256').update(data).digest();
    this.#p.C_SignInit(this.#session, { mechanism: pkcs11js.CKM_ECDSA }, this.#priv);
    const raw = this.#p.C_Sign(this.#session, digest, Buffer.alloc(64));
    return derSignature(raw);
  }

  close(): void {
    close(this.#p, this.#session);
  }
}

/** Provisioning: a new P-256 key pair on the token, the private key not extractable. */
export function generateP256KeyPair(ref: Pkcs11KeyRef): KeyObject {
  const { p, session } = openSession(ref);
  try {
    const id = createHash('sha256').update(ref.keyLabel).digest().subarray(0, 8);
    const keys = p.C_GenerateKeyPair(
      session,
      { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS },
        { type: pkcs11js.CKA_LABEL, value: ref.keyLabel },
        { type: pkcs11js.CKA_ID, value: id },
      ],
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_LABEL, value: ref.keyLabel },
        { type: pkcs11js.CKA_ID, value: id },
      ],
    );
    return publicKeyOf(p, session, keys.publicKey);
  } finally {
    close(p, session);
  }
}

function openSession(ref: Pkcs11KeyRef): { p: pkcs11js.PKCS11; session: Buffer } {
  const p = new pkcs11js.PKCS11();
  try {
    p.load(ref.module);
    p.C_Initialize();
  } catch (err) {
    throw new Pkcs11Error('PKCS11_FAILED', `cannot load PKCS#11 module ${ref.module}: ${(err as Error).message}`);
  }
  const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === ref.tokenLabel);
  if (!slot) {
    p.C_Finalize();
    throw new Pkcs11Error('PKCS11_TOKEN_NOT_FOUND', `no token labelled ${ref.tokenLabel} in ${ref.module}`);
  }
  const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p.C_Login(session, pkcs11js.CKU_USER, ref.pin);
  } catch (err) {
    close(p, session);
    throw new Pkcs11Error('PKCS11_FAILED', `login to token ${ref.tokenLabel} refused: ${(err as Error).message}`);
  }
  return { p, session };
}

function findOne(p: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): Buffer | null {
  p.C_FindObjectsInit(session, template);
  try {
    return p.C_FindObjects(session);
  } finally {
    p.C_FindObjectsFinal(session);
  }
}

function publicKeyOf(p: pkcs11js.PKCS11, session: Buffer, pub: Buffer): KeyObject {
  const [attr] = p.C_GetAttributeValue(session, pub, [{ type: pkcs11js.CKA_EC_POINT }]);
  let point = attr!.value as Buffer;
  // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (04 || X || Y).
  if (point.length === 67 && point[0] === 0x04 && point[1] === 0x41) point = point.subarray(2);
  if (point.length !== 65 || point[0] !== 0x04) throw new Pkcs11Error('PKCS11_FAILED', 'the token returned a public key that is not an uncompressed P-256 point');
  return createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, point]), format: 'der', type: 'spki' });
}

/** r || s (32 bytes each) → DER SEQUENCE { INTEGER r, INTEGER s }. */
function derSignature(raw: Buffer): Buffer {
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    const body = v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const seq = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32, 64))]);
  return Buffer.concat([Buffer.from([0x30, seq.length]), seq]);
}

function close(p: pkcs11js.PKCS11, session: Buffer): void {
  try {
    p.C_CloseSession(session);
  } catch {
    /* already closed */
  }
  try {
    p.C_Finalize();
  } catch {
    /* not initialised */
  }
}
