import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { refuse } from './reasons.ts';
import type { VisaTrust } from './trust.ts';

/**
 * Extended key usage a barcode signer must carry to sign e-Visa seals. VDS-NC gives each
 * use case its own EKU under 2.23.136.1.1.14 (.1 proof of testing, .2 proof of vaccination)
 * but none for visas yet, so this default sits in the X.660 example arc; a department sets
 * its assigned OID in the configuration (docs/evisa.md §3).
 */
export const VISA_SIGNER_EKU = '2.999.16.1';

const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';

/** What the certificate layer learned about a signer, cached by the DER's hash. */
interface ParsedSigner {
  cert: X509Certificate;
  country: string | undefined;
  digitalSignature: boolean;
  ekus: string[];
  /** Roots (by fingerprint) whose signature on this certificate was already checked, and the answer. */
  chain: Map<string, boolean>;
}

export interface SignerCheck {
  cert: X509Certificate;
  /** The root the signer chains to. */
  root: X509Certificate;
}

function subjectCountry(subject: string): string | undefined {
  return /(?:^|\n)C=([^\n]*)/.exec(subject)?.[1];
}

function parseSigner(der: Buffer): ParsedSigner {
  let cert: X509Certificate;
  let parsed: pkijs.Certificate;
  try {
    cert = new X509Certificate(der);
    const asn = asn1js.fromBER(new Uint8Array(der));
    if (asn.offset === -1 || asn.offset !== der.length) throw new Error('trailing or bad BER');
    parsed = new pkijs.Certificate({ schema: asn.result });
  } catch {
    refuse('CERT_MALFORMED', 'signer certificate is not a DER X.509 certificate');
  }
  const ext = (oid: string) => parsed.extensions?.find((e) => e.extnID === oid);
  const ku = ext(OID_KEY_USAGE)?.parsedValue as asn1js.BitString | undefined;
  // KeyUsage bit 0 (digitalSignature) is the top bit of the first content byte.
  const kuBytes = ku ? new Uint8Array(ku.valueBlock.valueHexView) : new Uint8Array();
  const eku = ext(OID_EXT_KEY_USAGE)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return { cert, country: subjectCountry(cert.subject), digitalSignature: kuBytes.length > 0 && (kuBytes[0]! & 0x80) !== 0, ekus: eku?.keyPurposes ?? [], chain: new Map() };
}

const valid = (c: X509Certificate, nowMs: number): boolean => Date.parse(c.validFrom) <= nowMs && nowMs <= Date.parse(c.validTo);

/**
 * The certificate layer: the signer certificate carried in the seal is a well-formed X.509
 * certificate, issued and signed by a root of the header's issuing state, both valid at
 * the validation clock, for digital signatures with the visa-signing EKU and not a CA, and
 * of the same country as its root. Parsed signers are cached (a gate sees few signers).
 */
export class SignerChecker {
  readonly #cache = new Map<string, ParsedSigner>();
  readonly #eku: string;

  constructor(opts: { eku?: string } = {}) {
    this.#eku = opts.eku ?? VISA_SIGNER_EKU;
  }

  check(der: Buffer, state: string, trust: VisaTrust, nowMs: number): SignerCheck {
    const key = createHash('sha256').update(der).digest('hex');
    let s = this.#cache.get(key);
    if (!s) {
      s = parseSigner(der);
      if (this.#cache.size >= 256) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, s);
    }
    const roots = trust.rootsOf(state).filter((r) => s.cert.checkIssued(r.cert));
    const root = roots.find((r) => {
      let ok = s.chain.get(r.cert.fingerprint256);
      if (ok === undefined) s.chain.set(r.cert.fingerprint256, (ok = s.cert.verify(r.cert.publicKey)));
      return ok;
    });
    if (!root) refuse('CERT_UNTRUSTED', `signer certificate does not chain to a root of ${state}`);
    if (!valid(s.cert, nowMs) || !valid(root.cert, nowMs)) refuse('CERT_NOT_VALID_NOW', 'signer or root certificate not valid at the validation time');
    if (s.cert.ca || !s.digitalSignature || !s.ekus.includes(this.#eku)) refuse('CERT_KEY_USAGE', 'signer certificate is not a visa barcode signer (key usage, extended key usage or CA)');
    if (!s.country || s.country !== subjectCountry(root.cert.subject)) refuse('CERT_COUNTRY_MISMATCH', 'signer certificate country differs from its root');
    return { cert: s.cert, root: root.cert };
  }
}
