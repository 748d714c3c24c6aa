import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as asn1js from 'asn1js';
import sharp from 'sharp';
import { encodeCardAccess } from '../icao/card-access.ts';
import { encodeDg14 } from '../kiosk/passport/chip-auth.ts';
import { checkDigit } from '../icao/mrz.ts';
import { parseSod } from '../kiosk/passport/sod.ts';
import { tlv } from '../icao/tlv.ts';
import type { PassportReason } from '../icao/errors.ts';

/**
 * Makes test passports: a test PKI (CSCA, Document Signers, CRL) with openssl and, per
 * kind, the chip's files (EF.COM, DG1, DG2, DG15, EF.SOD) plus passport.json saying what
 * the gate must decide. Fictional MRZ data only (Utopia, ICAO's specimen state).
 * CLI: node --import tsx scripts/make-passport.ts --out <dir> [--photo <jpg>]
 */
export const PASSPORT_KINDS = {
  valid: null,
  'valid-jp2': null,
  'valid-explicit-ec': null,
  'valid-rsa-pss': null,
  'valid-aa': null,
  'valid-pace': null,
  'valid-ca': null,
  'valid-ca-3des': null,
  'tampered-dg1': 'PA_HASH',
  'tampered-dg2': 'PA_HASH',
  'unlisted-dg': 'PA_HASH',
  'bad-signature': 'PA_SIGNATURE',
  'untrusted-ds': 'PA_CHAIN',
  'expired-ds': 'PA_CHAIN',
  'revoked-ds': 'PA_CHAIN',
  'mrz-mismatch': 'PA_MISMATCH',
  'country-mismatch': 'PA_MISMATCH',
  'pace-stripped': 'ACCESS_DENIED',
  clone: 'CHIP_CLONED',
  'clone-ca': 'CHIP_CLONED',
  'corrupt-face': 'REFERENCE_UNUSABLE',
  'expired-document': 'DOC_EXPIRED',
} as const satisfies Record<string, PassportReason | null>;

export type PassportKind = keyof typeof PASSPORT_KINDS;

/** What passport.json holds next to the chip files. */
export interface PassportManifest {
  kind: PassportKind;
  mrz: [string, string];
  expect: PassportReason | null;
  /** Chip-only properties (the simulated chip honours them; vicc offers BAC only). */
  pace: boolean;
  aaKeyFile?: string;
  caKeyFile?: string;
  files: Record<string, string>;
}

const DEFAULT_PHOTO = '/work/shared/faces/deepface/img1.jpg';

function ossl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function caConfig(dir: string, name: string): string {
  const d = join(dir, `${name}-db`);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), '1000\n');
  writeFileSync(join(d, 'crlnumber'), '01\n');
  const cfg = `[ca]\ndefault_ca=CA_default\n[CA_default]\ndir=${d}\ndatabase=$dir/index.txt\nserial=$dir/serial\ncrlnumber=$dir/crlnumber\nnew_certs_dir=$dir\ncertificate=${join(dir, `${name}.pem`)}\nprivate_key=${join(dir, `${name}.key`)}\ndefault_md=sha256\ndefault_crl_days=3650\npolicy=policy_any\nunique_subject=no\ncopy_extensions=none\n[policy_any]\ncountryName=supplied\ncommonName=supplied\norganizationName=optional\n[ds_ext]\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n`;
  const f = join(dir, `${name}.cnf`);
  writeFileSync(f, cfg);
  return f;
}

function makeCsca(dir: string, name: string, cn: string): string {
  ossl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  ossl(dir, 'req', '-new', '-x509', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '7300', '-sha256', '-subj', `/C=UT/O=Utopia Test/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  return caConfig(dir, name);
}

type DsKey = 'ec' | 'ec-explicit' | 'rsa-pss';

function makeDs(dir: string, cnf: string, name: string, opts: { key?: DsKey; country?: string; start?: string; end?: string }): void {
  const key = opts.key ?? 'ec';
  if (key === 'rsa-pss') ossl(dir, 'genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`);
  else ossl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', ...(key === 'ec-explicit' ? ['-param_enc', 'explicit'] : []), '-out', `${name}.key`);
  ossl(dir, 'req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/C=${opts.country ?? 'UT'}/O=Utopia Test/CN=Test Document Signer ${name}`);
  ossl(dir, 'ca', '-batch', '-config', cnf, '-in', `${name}.csr`, '-out', `${name}.pem`, '-extensions', 'ds_ext', '-notext',
    '-startdate', opts.start ?? '20240101000000Z', '-enddate', opts.end ?? '20400101000000Z');
}

/** Builds a TD3 MRZ with correct check digits. */
export function makeMrz(p: { surname: string; given: string; number: string; birth: string; expiry: string; sex?: string; state?: string; nationality?: string }): [string, string] {
  const state = (p.state ?? 'UTO').padEnd(3, '<');
  const l1 = `P<${state}${p.surname}<<${p.given}`.padEnd(44, '<').slice(0, 44);
  const num = p.number.padEnd(9, '<');
  const opt = '<'.repeat(14);
  const body = `${num}${checkDigit(num)}${(p.nationality ?? state).padEnd(3, '<')}${p.birth}${checkDigit(p.birth)}${p.sex ?? 'F'}${p.expiry}${checkDigit(p.expiry)}${opt}<`;
  const composite = checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
  return [l1, `${body}${composite}`];
}

function efCom(dgTags: number[]): Buffer {
  return tlv(0x60, Buffer.concat([tlv(0x5f01, Buffer.from('0107')), tlv(0x5f36, Buffer.from('040000')), tlv(0x5c, Buffer.from(dgTags))]));
}

function dg1(mrz: [string, string]): Buffer {
  return tlv(0x61, tlv(0x5f1f, Buffer.from(mrz.join(''), 'latin1')));
}

/** DG2 with one ISO/IEC 19794-5 facial record around `image`. */
export function dg2(image: Buffer, format: 'jpeg' | 'jp2', width: number, height: number): Buffer {
  const info = Buffer.alloc(20);
  info.writeUInt32BE(20 + 12 + image.length, 0);
  const imageInfo = Buffer.alloc(12);
  imageInfo[0] = 1; // full frontal
  imageInfo[1] = format === 'jpeg' ? 0 : 1;
  imageInfo.writeUInt16BE(width, 2);
  imageInfo.writeUInt16BE(height, 4);
  imageInfo[6] = 1; // 24-bit RGB
  const header = Buffer.alloc(14);
  header.write('FAC\x00010\x00', 0, 'latin1');
  header.writeUInt32BE(14 + 20 + 12 + image.length, 8);
  header.writeUInt16BE(1, 12);
  const record = Buffer.concat([header, info, imageInfo, image]);
  const bht = tlv(0xa1, Buffer.concat([tlv(0x80, Buffer.from([0x01, 0x01])), tlv(0x87, Buffer.from([0x01, 0x01])), tlv(0x88, Buffer.from([0x00, 0x08]))]));
  return tlv(0x75, tlv(0x7f61, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x7f60, Buffer.concat([bht, tlv(0x5f2e, record)]))])));
}

function ldsSecurityObject(groups: Map<number, Buffer>): Buffer {
  const seq = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.16.840.1.101.3.4.2.1' })] }),
      new asn1js.Sequence({
        value: [...groups].map(([n, b]) => new asn1js.Sequence({ value: [new asn1js.Integer({ value: n }), new asn1js.OctetString({ valueHex: createHash('sha256').update(b).digest() })] })),
      }),
    ],
  });
  return Buffer.from(seq.toBER(false));
}

/** Face images of about 20 KB from a photo: JPEG with sharp, JPEG 2000 with ffmpeg's encoder. */
export async function makeFaces(dir: string, photo?: string, size: { width: number; height: number } = { width: 360, height: 480 }): Promise<{ jpeg: Buffer; jp2: Buffer; width: number; height: number }> {
  const { width, height } = size;
  const src = photo ?? (existsSync(DEFAULT_PHOTO) ? DEFAULT_PHOTO : undefined);
  const base = src
    ? sharp(src).rotate().resize(width, height, { fit: 'cover', position: 'attention' })
    : sharp({ create: { width, height, channels: 3, background: { r: 180, g: 150, b: 120 } } });
  const jpeg = await base.clone().jpeg({ quality: 80 }).toBuffer();
  const png = join(dir, 'face.png');
  await base.clone().png().toFile(png);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', png, '-c:v', 'jpeg2000', '-q:v', '12', '-pred', '0', '-frames:v', '1', join(dir, 'face.jp2')]);
  return { jpeg, jp2: readFileSync(join(dir, 'face.jp2')), width, height };
}

export interface TestPki {
  dir: string;
  /** Trusted CSCA certificate (PEM) and its CRL. */
  cscaPem: string;
  crlPem: string;
  /** A CSCA master list (DER CMS) holding both test CSCAs, signed by a signer under the trusted CSCA. */
  masterList: string;
  /** The same kind of list signed under the rogue CSCA: must be refused. */
  rogueMasterList: string;
  /** The rogue CSCA (issuer of the untrusted-ds passport). */
  otherCscaPem: string;
}

/** A CSCA master list (ICAO 9303-12 §9): CMS SignedData over CscaMasterList { version, SET OF Certificate }. */
function masterList(pkiDir: string, certs: string[], signer: string, out: string): void {
  const ders = certs.map((f) => Buffer.from(readFileSync(join(pkiDir, f), 'latin1').replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
  const list = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), new asn1js.Set({ value: ders.map((d) => asn1js.fromBER(Uint8Array.from(d)).result) })] });
  writeFileSync(join(pkiDir, `${out}.der`), Buffer.from(list.toBER(false)));
  ossl(pkiDir, 'cms', '-sign', '-binary', '-nodetach', '-econtent_type', '2.23.136.1.1.2', '-md', 'sha256', '-nosmimecap', '-outform', 'DER',
    '-in', `${out}.der`, '-signer', `${signer}.pem`, '-inkey', `${signer}.key`, '-out', out);
}

/** Makes every test passport kind under `out`; returns the PKI and each passport's directory. */
export async function makePassports(out: string, opts: { photo?: string; kinds?: PassportKind[]; faceSize?: { width: number; height: number }; nationality?: string } = {}): Promise<{ pki: TestPki; passports: Map<PassportKind, string> }> {
  const pkiDir = resolve(out, 'pki');
  mkdirSync(pkiDir, { recursive: true });
  const cnf = makeCsca(pkiDir, 'csca', 'Utopia Test CSCA');
  const otherCnf = makeCsca(pkiDir, 'csca-other', 'Rogue CSCA');
  makeDs(pkiDir, cnf, 'ds', {});
  makeDs(pkiDir, cnf, 'ds-explicit', { key: 'ec-explicit' });
  makeDs(pkiDir, cnf, 'ds-pss', { key: 'rsa-pss' });
  makeDs(pkiDir, cnf, 'ds-expired', { start: '20190101000000Z', end: '20200101000000Z' });
  makeDs(pkiDir, cnf, 'ds-revoked', {});
  makeDs(pkiDir, cnf, 'ds-fr', { country: 'FR' });
  makeDs(pkiDir, otherCnf, 'ds-rogue', {});
  makeDs(pkiDir, cnf, 'mls', {});
  makeDs(pkiDir, otherCnf, 'mls-rogue', {});
  ossl(pkiDir, 'ca', '-batch', '-config', cnf, '-revoke', 'ds-revoked.pem');
  ossl(pkiDir, 'ca', '-batch', '-config', cnf, '-gencrl', '-out', 'csca-crl.pem');
  ossl(pkiDir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'aa.key');
  ossl(pkiDir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'aa-clone.key');
  ossl(pkiDir, 'ec', '-in', 'aa.key', '-pubout', '-outform', 'DER', '-out', 'aa.pub.der');
  ossl(pkiDir, 'ecparam', '-name', 'brainpoolP256r1', '-genkey', '-noout', '-out', 'ca.key');
  ossl(pkiDir, 'ecparam', '-name', 'brainpoolP256r1', '-genkey', '-noout', '-out', 'ca-clone.key');
  ossl(pkiDir, 'ec', '-in', 'ca.key', '-pubout', '-outform', 'DER', '-out', 'ca.pub.der');
  masterList(pkiDir, ['csca.pem', 'csca-other.pem'], 'mls', 'master-list.cms');
  masterList(pkiDir, ['csca-other.pem'], 'mls-rogue', 'master-list-rogue.cms');
  const faces = await makeFaces(pkiDir, opts.photo, opts.faceSize);

  const passports = new Map<PassportKind, string>();
  for (const kind of opts.kinds ?? (Object.keys(PASSPORT_KINDS) as PassportKind[])) {
    const dir = resolve(out, kind);
    mkdirSync(dir, { recursive: true });
    const mrz = makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: kind === 'expired-document' ? '200101' : '340515', ...(opts.nationality ? { nationality: opts.nationality } : {}) });
    const chipMrz = kind === 'mrz-mismatch' ? makeMrz({ surname: 'OTHER', given: 'PERSON', number: 'UT1234567', birth: '850101', expiry: '340515' }) : mrz;
    const face = kind === 'valid-jp2' ? dg2(faces.jp2, 'jp2', faces.width, faces.height) : dg2(faces.jpeg, 'jpeg', faces.width, faces.height);
    const groups = new Map<number, Buffer>([[1, dg1(chipMrz)], [2, kind === 'corrupt-face' ? corruptFace(face) : face]]);
    const withAa = kind === 'valid-aa' || kind === 'clone';
    if (withAa) groups.set(15, tlv(0x6f, readFileSync(join(pkiDir, 'aa.pub.der'))));
    const withCa = kind === 'valid-ca' || kind === 'valid-ca-3des' || kind === 'clone-ca';
    if (withCa) groups.set(14, encodeDg14({ protocol: `0.4.0.127.0.7.2.2.3.2.${kind === 'valid-ca-3des' ? 1 : 2}`, spki: readFileSync(join(pkiDir, 'ca.pub.der')) }));
    // The signed DG14 says the chip does PACE, but the chip's EF.CardAccess has been taken away.
    if (kind === 'pace-stripped') groups.set(14, encodeDg14(undefined, { oid: '0.4.0.127.0.7.2.2.4.2.2', parameterId: 13 }));
    const comTags = [0x61, 0x75, ...(groups.has(14) ? [0x6e] : []), ...(withAa || kind === 'unlisted-dg' ? [0x6f] : [])];
    const ds = { 'valid-explicit-ec': 'ds-explicit', 'valid-rsa-pss': 'ds-pss', 'expired-ds': 'ds-expired', 'revoked-ds': 'ds-revoked', 'country-mismatch': 'ds-fr', 'untrusted-ds': 'ds-rogue' }[kind as string] ?? 'ds';
    writeFileSync(join(dir, 'ldsso.der'), ldsSecurityObject(groups));
    const pss = ds === 'ds-pss' ? ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32'] : [];
    ossl(dir, 'cms', '-sign', '-binary', '-nodetach', '-econtent_type', '2.23.136.1.1.1', '-md', 'sha256', '-nosmimecap', '-outform', 'DER',
      '-in', 'ldsso.der', '-signer', join(pkiDir, `${ds}.pem`), '-inkey', join(pkiDir, `${ds}.key`), ...pss, '-out', 'sod.cms');
    let sod = tlv(0x77, readFileSync(join(dir, 'sod.cms')));
    if (kind === 'bad-signature') sod = flipSignature(sod);
    if (kind === 'tampered-dg1') groups.set(1, dg1(makeMrz({ surname: 'TAMPERED', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515' })));
    if (kind === 'tampered-dg2') groups.set(2, flipLastImageByte(groups.get(2)!));
    // On the chip and in EF.COM, but not signed in EF.SOD.
    if (kind === 'unlisted-dg') groups.set(15, tlv(0x6f, readFileSync(join(pkiDir, 'aa.pub.der'))));
    const files: Record<string, string> = { '011E': 'EF.COM', '011D': 'EF.SOD' };
    writeFileSync(join(dir, 'EF.COM'), efCom(comTags));
    writeFileSync(join(dir, 'EF.SOD'), sod);
    for (const [n, b] of groups) {
      writeFileSync(join(dir, `DG${n}`), b);
      files[(0x0100 + n).toString(16).toUpperCase().padStart(4, '0')] = `DG${n}`;
    }
    const manifest: PassportManifest = { kind, mrz, expect: PASSPORT_KINDS[kind], pace: kind === 'valid-pace', files };
    if (withAa) manifest.aaKeyFile = join(pkiDir, kind === 'clone' ? 'aa-clone.key' : 'aa.key');
    if (withCa) manifest.caKeyFile = join(pkiDir, kind === 'clone-ca' ? 'ca-clone.key' : 'ca.key');
    if (manifest.pace) writeFileSync(join(dir, 'EF.CardAccess'), encodeCardAccess([{ oid: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 }]));
    writeFileSync(join(dir, 'passport.json'), JSON.stringify(manifest, null, 2));
    passports.set(kind, dir);
  }
  const pki = {
    dir: pkiDir,
    cscaPem: join(pkiDir, 'csca.pem'),
    crlPem: join(pkiDir, 'csca-crl.pem'),
    masterList: join(pkiDir, 'master-list.cms'),
    rogueMasterList: join(pkiDir, 'master-list-rogue.cms'),
    otherCscaPem: join(pkiDir, 'csca-other.pem'),
  };
  return { pki, passports };
}

function flipSignature(sod: Buffer): Buffer {
  const parsed = parseSod(sod);
  const sig = Buffer.from(parsed.signer.signature.valueBlock.valueHexView);
  const at = sod.indexOf(sig);
  const out = Buffer.from(sod);
  out[at + sig.length - 1] = out[at + sig.length - 1]! ^ 0x01;
  return out;
}

function flipLastImageByte(dg: Buffer): Buffer {
  const out = Buffer.from(dg);
  out[out.length - 3] = out[out.length - 3]! ^ 0x01;
  return out;
}

function corruptFace(dg: Buffer): Buffer {
  // Keep the JPEG signature and the record intact; the entropy-coded data becomes noise.
  const out = Buffer.from(dg);
  const start = out.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  for (let i = start + 4; i < out.length - 2; i++) out[i] = (i * 37) & 0xff;
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const { Command } = await import('commander');
  const { out, photo } = new Command('make-passport')
    .description('test passports: test CSCA/DS (openssl), EF.COM, DG1, DG2, EF.SOD, a valid one and every broken kind')
    .option('--out <dir>', 'where the passports and the test PKI are written', 'var/passports')
    .option('--photo <file>', `face photo for DG2 (default ${DEFAULT_PHOTO})`)
    .parse()
    .opts<{ out: string; photo?: string }>();
  try {
    const { passports, pki } = await makePassports(out, photo ? { photo } : {});
    console.log(`trust: ${pki.cscaPem} crl: ${pki.crlPem}`);
    for (const [kind, dir] of passports) console.log(`${kind.padEnd(20)} ${dir}`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
