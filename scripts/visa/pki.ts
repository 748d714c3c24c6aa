import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VISA_SIGNER_EKU } from '../../kiosk/visa/certificate.ts';

/**
 * The e-Visa test PKI, made with openssl: the department's root and its barcode signers
 * (one per accepted algorithm), and the broken signers the invalid seal kinds need.
 */
export const SIGNERS = {
  /** ES256 barcode signer: the one the department uses. */
  signer: { curve: 'prime256v1', ca: 'root', eku: true, country: 'HK', start: '20250101000000Z', end: '20350101000000Z' },
  'signer-p384': { curve: 'secp384r1', ca: 'root', eku: true, country: 'HK', start: '20250101000000Z', end: '20350101000000Z' },
  'signer-p521': { curve: 'secp521r1', ca: 'root', eku: true, country: 'HK', start: '20250101000000Z', end: '20350101000000Z' },
  /** Signed by a root nobody trusts (a forger's PKI). */
  'signer-rogue': { curve: 'prime256v1', ca: 'rogue-root', eku: true, country: 'HK', start: '20250101000000Z', end: '20350101000000Z' },
  'signer-expired': { curve: 'prime256v1', ca: 'root', eku: true, country: 'HK', start: '20200101000000Z', end: '20220101000000Z' },
  /** A genuine certificate of the department, but not for barcodes (no visa-signing EKU). */
  'signer-no-eku': { curve: 'prime256v1', ca: 'root', eku: false, country: 'HK', start: '20250101000000Z', end: '20350101000000Z' },
  'signer-other-country': { curve: 'prime256v1', ca: 'root', eku: true, country: 'MO', start: '20250101000000Z', end: '20350101000000Z' },
} as const;
export type SignerName = keyof typeof SIGNERS;

export interface VisaPki {
  dir: string;
  /** The department's root, PEM: the trust list's only entry. */
  rootPem: string;
  signers: Record<SignerName, { keyPem: string; certPem: string; certDer: Buffer }>;
}

function ossl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeRoot(dir: string, name: string, cn: string): void {
  ossl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  ossl(dir, 'req', '-new', '-x509', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '7300', '-sha256', '-subj', `/C=HK/O=Test Immigration Department/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const d = join(dir, `${name}-db`);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), '2000\n');
  const cfg = `[ca]\ndefault_ca=CA_default\n[CA_default]\ndir=${d}\ndatabase=$dir/index.txt\nserial=$dir/serial\nnew_certs_dir=$dir\ncertificate=${join(dir, `${name}.pem`)}\nprivate_key=${join(dir, `${name}.key`)}\ndefault_md=sha256\npolicy=policy_any\nunique_subject=no\ncopy_extensions=none\n[policy_any]\ncountryName=supplied\ncommonName=supplied\norganizationName=optional\n[bs_ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${VISA_SIGNER_EKU}\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n[no_eku_ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n`;
  writeFileSync(join(dir, `${name}.cnf`), cfg);
}

/** Makes (or remakes) the test PKI under `dir`. Takes a few seconds of openssl. */
export function makeVisaPki(dir: string): VisaPki {
  mkdirSync(dir, { recursive: true });
  // The roots date from now (`openssl req -x509`); the signers' dates are fixed.
  makeRoot(dir, 'root', 'Test e-Visa Root');
  makeRoot(dir, 'rogue-root', 'Test e-Visa Root');
  const signers = {} as VisaPki['signers'];
  for (const [name, s] of Object.entries(SIGNERS) as [SignerName, (typeof SIGNERS)[SignerName]][]) {
    ossl(dir, 'ecparam', '-name', s.curve, '-genkey', '-noout', '-out', `${name}.key.sec1`);
    ossl(dir, 'pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key.sec1`, '-out', `${name}.key`);
    ossl(dir, 'req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/C=${s.country}/O=Test Immigration Department/CN=Test e-Visa Barcode Signer ${name}`);
    ossl(dir, 'ca', '-batch', '-config', `${s.ca}.cnf`, '-in', `${name}.csr`, '-out', `${name}.pem`, '-extensions', s.eku ? 'bs_ext' : 'no_eku_ext', '-notext', '-startdate', s.start, '-enddate', s.end);
    const certPem = readFileSync(join(dir, `${name}.pem`), 'utf8');
    const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
    signers[name] = { keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'), certPem, certDer: der };
  }
  return { dir, rootPem: readFileSync(join(dir, 'root.pem'), 'utf8'), signers };
}

/** A test PKI written earlier (the corpus keeps its own under fixtures/evisa/pki: test keys only). */
export function loadVisaPki(dir: string): VisaPki {
  const signers = {} as VisaPki['signers'];
  for (const name of Object.keys(SIGNERS) as SignerName[]) {
    const certPem = readFileSync(join(dir, `${name}.pem`), 'utf8');
    signers[name] = { keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'), certPem, certDer: Buffer.from(certPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64') };
  }
  return { dir, rootPem: readFileSync(join(dir, 'root.pem'), 'utf8'), signers };
}

/** Copies the parts of a test PKI a corpus keeps (certificates and signer keys; no CA keys, no openssl database). */
export function keepVisaPki(pki: VisaPki, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'root.pem'), pki.rootPem);
  for (const [name, s] of Object.entries(pki.signers)) {
    writeFileSync(join(dir, `${name}.pem`), s.certPem);
    writeFileSync(join(dir, `${name}.key`), s.keyPem, { mode: 0o600 });
  }
}
