import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ConfigError } from '../errors.ts';
import { hashName, verifySignature } from './signature.ts';

const OID_MASTER_LIST = '2.23.136.1.1.2';

/** A Country Signing CA the gate trusts. */
export interface Csca {
  cert: X509Certificate;
  parsed: pkijs.Certificate;
}

/** A CSCA's CRL whose signature verified with that CSCA at load time. */
export interface Crl {
  issuer: Csca;
  revoked: Set<string>;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
}

const normSerial = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, '');

function derBlocks(bytes: Buffer, label: string): Buffer[] {
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN')) return [bytes];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

function filesOf(paths: readonly string[], issues: { path: string; message: string }[]): string[] {
  return paths.flatMap((p) => {
    try {
      return statSync(p).isDirectory() ? readdirSync(p).sort().map((f) => join(p, f)) : [p];
    } catch {
      issues.push({ path: p, message: 'no such file or directory' });
      return [];
    }
  });
}

/**
 * The CSCA trust list with the CSCAs' CRLs. Loaded once at start-up from PEM or DER files
 * (or directories of them) and CSCA master lists; a CRL or master list that no configured
 * CSCA vouches for is a configuration error, never silently ignored.
 */
export class TrustList {
  readonly cscas: Csca[] = [];
  readonly crls: Crl[] = [];

  addCsca(der: Buffer): Csca {
    const c = { cert: new X509Certificate(der), parsed: pkijs.Certificate.fromBER(der) };
    if (!c.cert.ca) throw new Error('not a CA certificate');
    this.cscas.push(c);
    return c;
  }

  addCrl(der: Buffer): Crl {
    const crl = pkijs.CertificateRevocationList.fromBER(der);
    const tbs = Buffer.from(crl.tbsView);
    const issuer = this.cscas.find(
      (c) => c.parsed.subject.isEqual(crl.issuer) && verifySignature(crl.signatureAlgorithm, undefined, c.cert.publicKey, tbs, crl.signatureValue.valueBlock.valueHexView),
    );
    if (!issuer) throw new Error('CRL not signed by a trusted CSCA');
    const revoked = new Set((crl.revokedCertificates ?? []).map((r) => normSerial(Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex'))));
    const entry = { issuer, revoked, thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value };
    this.crls.push(entry);
    return entry;
  }

  /**
   * Adds the CSCAs of a CSCA Master List (CMS SignedData of a CscaMasterList). The list's
   * signature must verify with its signer certificate, and that signer must be issued by a
   * CSCA already trusted from configuration: a master list never vouches for itself.
   * Returns how many certificates were added.
   */
  addMasterList(der: Buffer): number {
    const ci = pkijs.ContentInfo.fromBER(der);
    const sd = new pkijs.SignedData({ schema: ci.content });
    if (sd.encapContentInfo.eContentType !== OID_MASTER_LIST) throw new Error('not a CSCA master list');
    const content = Buffer.from(sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0));
    const signer = sd.signerInfos[0];
    if (!signer?.signedAttrs || sd.signerInfos.length !== 1) throw new Error('master list needs exactly one signer with signed attributes');
    const sid = signer.sid;
    const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
    const signerCert = certs.find((c) => sid instanceof pkijs.IssuerAndSerialNumber && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
    if (!signerCert) throw new Error('master list signer certificate missing');
    const mls = new X509Certificate(Buffer.from(signerCert.toSchema().toBER(false)));
    const attrs = Buffer.from(signer.signedAttrs.encodedValue);
    attrs[0] = 0x31;
    const md = signer.signedAttrs.attributes.find((a) => a.type === '1.2.840.113549.1.9.4')?.values[0] as asn1js.OctetString | undefined;
    const digest = createHash(hashName(signer.digestAlgorithm.algorithmId)).update(content).digest();
    const ok = md !== undefined && Buffer.from(md.valueBlock.valueHexView).equals(digest) &&
      verifySignature(signer.signatureAlgorithm, signer.digestAlgorithm.algorithmId, mls.publicKey, attrs, signer.signature.valueBlock.valueHexView);
    if (!ok) throw new Error('master list signature does not verify');
    if (this.issuersOf(mls).length === 0) throw new Error('master list signer not issued by a configured CSCA');
    const list = asn1js.fromBER(Uint8Array.from(content));
    const set = list.result instanceof asn1js.Sequence ? list.result.valueBlock.value[1] : undefined;
    if (!(set instanceof asn1js.Set)) throw new Error('CscaMasterList malformed');
    let added = 0;
    for (const el of set.valueBlock.value) {
      const certDer = Buffer.from(el.toBER(false));
      if (this.cscas.some((c) => c.cert.raw.equals(certDer))) continue;
      try {
        this.addCsca(certDer);
        added++;
      } catch {
        // A link certificate or a non-CA entry is not a trust anchor; the rest of the list still counts.
      }
    }
    return added;
  }

  /** The trusted CSCAs that issued `ds` (name match and a signature that verifies). */
  issuersOf(ds: X509Certificate): Csca[] {
    return this.cscas.filter((c) => ds.checkIssued(c.cert) && ds.verify(c.cert.publicKey));
  }

  /** Whether `ds` is on a CRL of `csca`; undefined when the gate holds no CRL of that CSCA. */
  isRevoked(csca: Csca, ds: X509Certificate): boolean | undefined {
    const lists = this.crls.filter((l) => l.issuer === csca);
    if (lists.length === 0) return undefined;
    return lists.some((l) => l.revoked.has(normSerial(ds.serialNumber)));
  }

  /** Loads CSCA certificates and CRLs from files or directories (PEM or DER). */
  static load(opts: { csca: readonly string[]; crl?: readonly string[]; masterLists?: readonly string[] }): TrustList {
    const t = new TrustList();
    const issues: { path: string; message: string }[] = [];
    for (const f of filesOf(opts.csca, issues)) {
      for (const der of derBlocks(readFileSync(f), 'CERTIFICATE')) {
        try {
          t.addCsca(der);
        } catch (err) {
          issues.push({ path: f, message: `CSCA: ${(err as Error).message}` });
        }
      }
    }
    for (const f of filesOf(opts.masterLists ?? [], issues)) {
      try {
        t.addMasterList(readFileSync(f));
      } catch (err) {
        issues.push({ path: f, message: `master list: ${(err as Error).message}` });
      }
    }
    for (const f of filesOf(opts.crl ?? [], issues)) {
      for (const der of derBlocks(readFileSync(f), 'X509 CRL')) {
        try {
          t.addCrl(der);
        } catch (err) {
          issues.push({ path: f, message: `CRL: ${(err as Error).message}` });
        }
      }
    }
    if (t.cscas.length === 0) issues.push({ path: opts.csca.join(', '), message: 'no CSCA certificate: every passport would fail PA_CHAIN' });
    if (issues.length) throw new ConfigError(issues.map((i) => ({ path: `passport.trust ${i.path}`, message: i.message })));
    return t;
  }
}
