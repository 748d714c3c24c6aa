import { createECDH, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { authToken, bacKeys, bacSession, paceKey, randomScalar } from '../../icao/access-keys.ts';
import { oidBytes, paceCurve, type PaceCurve, type PaceInfo } from '../../icao/card-access.ts';
import { decrypt, encrypt, equalBytes, kdf, KDF_ENC, KDF_MAC, pad, retailMac, blockSize } from '../../icao/crypto.ts';
import type { Mrz } from '../../icao/mrz.ts';
import { SmSession } from '../../icao/secure-messaging.ts';
import { findTag, tlv } from '../../icao/tlv.ts';

/** A refusal with the status word the chip answers. */
export class CardRefusal extends Error {
  constructor(readonly sw: number, message: string) {
    super(message);
  }
}

/** BAC on the chip: checks the terminal's cryptogram against the challenge it gave. */
export function chipMutualAuthenticate(mrz: Pick<Mrz, 'lines'>, rndIc: Buffer | undefined, data: Uint8Array | undefined): { answer: Buffer; session: SmSession } {
  if (!rndIc) throw new CardRefusal(0x6985, 'no challenge outstanding');
  if (!data || data.length !== 40) throw new CardRefusal(0x6700, 'wrong length');
  const { kEnc, kMac } = bacKeys(mrz);
  const eIfd = data.subarray(0, 32);
  if (!equalBytes(retailMac(kMac, pad(eIfd, 8)), data.subarray(32))) throw new CardRefusal(0x6300, 'terminal MAC does not verify');
  const s = decrypt('3DES', kEnc, null, eIfd);
  if (!equalBytes(s.subarray(8, 16), rndIc)) throw new CardRefusal(0x6300, 'challenge not echoed');
  const rndIfd = s.subarray(0, 8);
  const kIc = randomBytes(16);
  const eIc = encrypt('3DES', kEnc, null, Buffer.concat([rndIc, rndIfd, kIc]));
  const answer = Buffer.concat([eIc, retailMac(kMac, pad(eIc, 8))]);
  return { answer, session: bacSession(s.subarray(16, 32), kIc, rndIc, rndIfd) };
}

type Point = InstanceType<PaceCurve>;

/** PACE generic mapping on the chip, one GENERAL AUTHENTICATE step at a time. */
export class ChipPace {
  readonly #info: PaceInfo;
  readonly #curve: PaceCurve;
  readonly #mrz: Pick<Mrz, 'lines'>;
  #step = 0;
  #s = 0n;
  #mapped: Point | undefined;
  #ephPriv = 0n;
  #ephPub: Point | undefined;
  #termEph: Point | undefined;
  #keys: { ksEnc: Buffer; ksMac: Buffer } | undefined;

  constructor(mrz: Pick<Mrz, 'lines'>, info: PaceInfo) {
    const curve = paceCurve(info.parameterId);
    if (!curve) throw new CardRefusal(0x6a80, 'unsupported domain parameters');
    this.#mrz = mrz;
    this.#info = info;
    this.#curve = curve;
  }

  /** Handles one step; returns the 7C template to answer, and the session after the last step. */
  step(data: Uint8Array | undefined): { answer: Buffer; session?: SmSession } {
    const inner = data && findTag(data, 0x7c);
    if (!inner) throw new CardRefusal(0x6a80, 'no dynamic authentication template');
    const suite = this.#info.suite;
    const get = (tag: number): Buffer => {
      const v = findTag(inner.value, tag);
      if (!v) throw new CardRefusal(0x6a80, 'missing data object');
      return v.value;
    };
    const point = (b: Buffer): Point => {
      try {
        const p = this.#curve.fromBytes(b);
        p.assertValidity();
        return p;
      } catch {
        throw new CardRefusal(0x6a80, 'not a point');
      }
    };
    switch (this.#step++) {
      case 0: {
        const s = randomBytes(blockSize(suite) === 8 ? 8 : 16);
        this.#s = BigInt(`0x${s.toString('hex')}`);
        return { answer: tlv(0x7c, tlv(0x80, encrypt(suite, paceKey(this.#mrz, suite), null, s))) };
      }
      case 1: {
        const priv = randomScalar(this.#curve);
        const h = point(get(0x81)).multiply(priv);
        this.#mapped = this.#curve.BASE.multiply(this.#s).add(h);
        return { answer: tlv(0x7c, tlv(0x82, this.#curve.BASE.multiply(priv).toBytes(false))) };
      }
      case 2: {
        this.#termEph = point(get(0x83));
        this.#ephPriv = randomScalar(this.#curve);
        this.#ephPub = this.#mapped!.multiply(this.#ephPriv);
        const size = (this.#curve.BASE.toBytes(false).length - 1) / 2;
        const shared = this.#termEph.multiply(this.#ephPriv).toBytes(false).subarray(1, 1 + size);
        this.#keys = { ksEnc: kdf(shared, KDF_ENC, suite), ksMac: kdf(shared, KDF_MAC, suite) };
        return { answer: tlv(0x7c, tlv(0x84, this.#ephPub.toBytes(false))) };
      }
      case 3: {
        const { ksEnc, ksMac } = this.#keys!;
        if (!equalBytes(get(0x85), authToken(suite, ksMac, this.#info.oid, this.#ephPub!))) throw new CardRefusal(0x6300, 'terminal token does not verify');
        const tIc = authToken(suite, ksMac, this.#info.oid, this.#termEph!);
        return { answer: tlv(0x7c, tlv(0x86, tIc)), session: new SmSession(suite, ksEnc, ksMac) };
      }
      default:
        throw new CardRefusal(0x6985, 'PACE already complete');
    }
  }
}

/** The MSE:Set AT data must name the protocol of the chip's PACEInfo and the MRZ password. */
export function checkSetAt(data: Uint8Array | undefined, info: PaceInfo): void {
  const oid = data && findTag(data, 0x80);
  const pw = data && findTag(data, 0x83);
  if (!oid || !equalBytes(oid.value, oidBytes(info.oid))) throw new CardRefusal(0x6a80, 'protocol not offered');
  if (!pw || pw.value[0] !== 0x01) throw new CardRefusal(0x6a88, 'only the MRZ password is set');
}

/** Chip Authentication on the chip: the shared secret of its static key and the terminal's ephemeral point. */
export function chipCaSecret(priv: KeyObject, terminalPoint: Uint8Array | undefined): Buffer {
  const curve = priv.asymmetricKeyDetails?.namedCurve;
  if (!curve || !terminalPoint) throw new CardRefusal(0x6a80, 'no key agreement possible');
  // ECPrivateKey (SEC 1) { version, privateKey OCTET STRING, … }: JWK knows no brainpool curves.
  const sec1 = asn1js.fromBER(Uint8Array.from(priv.export({ format: 'der', type: 'sec1' })));
  const d = sec1.result instanceof asn1js.Sequence ? sec1.result.valueBlock.value[1] : undefined;
  if (!(d instanceof asn1js.OctetString)) throw new CardRefusal(0x6f00, 'malformed chip key');
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(Buffer.from(d.valueBlock.valueHexView));
  try {
    return ecdh.computeSecret(terminalPoint);
  } catch {
    throw new CardRefusal(0x6a80, 'not a point');
  }
}
