import { createDecipheriv, createPrivateKey, createPublicKey } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { decode as b45decode, encode as b45encode } from '@digitalbazaar/base45';
import { Decoder, Tag } from 'cbor-x';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ecdhSecret, hkdfSha256, verifyEs256 } from '../../kiosk/tokens/cose-key.ts';
import { parseSign1, sigStructure } from '../../kiosk/tokens/cose-sign1.ts';
import { TokenRejection } from '../../kiosk/tokens/reasons.ts';
import { createTokenWorld, HOLDER, worldCredential, worldPresentation, worldQr } from '../../kiosk/tokens/token-world.ts';

// An independent reading of the bytes: a plain cbor-x decoder, not the project's strict one.
const plain = new Decoder({ mapsAsObjects: false, useRecords: false });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const h = (s: string): Buffer => Buffer.from(s, 'hex');
const cborText = (s: string): string => (0x60 + s.length).toString(16) + Buffer.from(s).toString('hex'); // text < 24 bytes
const cborBstrHeader = (n: number): string => (n < 24 ? (0x40 + n).toString(16) : n < 256 ? '58' + n.toString(16).padStart(2, '0') : '59' + n.toString(16).padStart(4, '0'));
const world = createTokenWorld({ nowMs: Date.UTC(2026, 10, 23, 8) });

test('base45 codec passes the RFC 9285 vectors and refuses its invalid examples', () => {
  for (const [plainText, b45] of [['AB', 'BB8'], ['Hello!!', '%69 VD92EX0'], ['base-45', 'UJCLQE7W581'], ['ietf!', 'QED8WEX0']] as const) {
    assert.is(b45encode(new Uint8Array(Buffer.from(plainText))), b45);
    assert.is(Buffer.from(b45decode(b45)).toString(), plainText);
  }
  for (const bad of ['GGW', 'A', 'bb8', 'BB8A', '::::']) assert.throws(() => b45decode(bad), undefined, bad);
});

test('Sig_structure and ES256 (P1363) match the COSE WG example sign-pass-01', () => {
  // cose-wg/Examples sign1-tests/sign-pass-01.json: ToBeSign with empty protected, its key and signature.
  const payload = Buffer.from('This is the content.');
  assert.is(hex(sigStructure(new Uint8Array(0), payload)), '846a5369676e617475726531404054546869732069732074686520636f6e74656e742e');
  const pub = createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', x: 'usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8', y: 'IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4' } });
  const sig = h('EAE868ECC176883766C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E11A02E5F0344BF2D4EE5C7FD75A68A9F5E0B3CC1F1FC1409C189566586FF9D610');
  assert.ok(verifyEs256(pub, sigStructure(new Uint8Array(0), payload), sig));
  sig[0] = (sig[0] ?? 0) ^ 1;
  assert.not.ok(verifyEs256(pub, sigStructure(new Uint8Array(0), payload), sig));
  // That message's profile (alg unprotected, kid outside the protected header) is not ours: MALFORMED.
  const msg = h('D28441A0A201260442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E11A02E5F0344BF2D4EE5C7FD75A68A9F5E0B3CC1F1FC1409C189566586FF9D610');
  assert.throws(() => parseSign1(msg, 'credential', true), (e: unknown) => e instanceof TokenRejection && e.reason === 'MALFORMED');
});

test('ECDH x-coordinate and HKDF-SHA256 with empty salt match the COSE WG example p256-hkdf-256-01', () => {
  const priv = createPrivateKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', x: 'Ze2loSV3wrroKUN_4zhwGhCqo3Xhu1td4QjeQ5wIVR0', y: 'HlLtdXARY_f55A3fnzQbPcm6hgr34Mp8p-nuzQCE0Zw', d: 'r_kHyZ-a06rmxM3yESK84r1otSg-aQcVStkRhA-iCM8' } });
  const epk = createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', x: 'mPUKT_bAWGHIhg0TpjjqVsP1rXWQu_vwVOHHtNkdYoA', y: '8BQAsImGeAS46fyWw5MhYfGTT0IjBpFw2SS34Dv4Irs' } });
  const secret = ecdhSecret(priv, epk);
  assert.is(hex(secret), '4b31712e096e5f20b4ecf9790fd8cc7c8b7e2c8ad90bda81cb224f62c0e7b9a6');
  assert.is(hex(hkdfSha256(secret, h('8401808082188044A1013818'), 16)), '8a3a29805bdb8f0f9b8e820a695261fe');
});

test('credential: tag 18, protected {1:-7, 4:kid}, empty unprotected, CWT claims, signature over a hand-built Sig_structure', () => {
  const cred = worldCredential(world);
  const tagged = plain.decode(cred) as Tag;
  assert.ok(tagged instanceof Tag);
  assert.is(tagged.tag, 18);
  assert.is(cred[0], 0xd2);
  const [prot, unprot, payload, sig] = tagged.value as [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
  assert.is(hex(prot), 'a20126' + '04' + cborBstrHeader(13) + Buffer.from('HKIMMD-2026-1').toString('hex'));
  assert.is(unprot.size, 0);
  assert.is(sig.length, 64);
  const claims = plain.decode(payload) as Map<number, unknown>;
  assert.equal([...claims.keys()], [1, 2, 4, 6, 7, 8, -70001]);
  assert.is(claims.get(1), 'HKIMMD');
  assert.is(claims.get(2), HOLDER);
  assert.is((claims.get(7) as Uint8Array).length, 16);
  assert.equal(claims.get(-70001), ['ECH', 'VEH']);
  const cnfKey = (claims.get(8) as Map<number, Map<number, unknown>>).get(1)!;
  assert.equal([...cnfKey.keys()], [1, -1, -2, -3]);
  assert.is(cnfKey.get(1), 2);
  assert.is(cnfKey.get(-1), 1);
  assert.ok(hex(payload).includes('3a00011170'), '-70001 is a 4-byte negative integer key');
  // Sig_structure by hand: array(4), "Signature1", bstr protected, bstr h'', bstr payload.
  const tbs = h('84' + cborText('Signature1') + cborBstrHeader(prot.length) + hex(prot) + '40' + cborBstrHeader(payload.length) + hex(payload));
  assert.ok(verifyEs256(world.issuer.keys.publicKey, tbs, sig));
  const card = plain.decode(worldCredential(world, { mobile: false })) as Tag;
  assert.not.ok((plain.decode((card.value as Uint8Array[])[2]!) as Map<number, unknown>).has(8), 'card credential has no cnf');
});

test('presentation: tag 18, protected {1:-7} only, payload {1: credential, 2: iat, 3: nonce(16)}, signed by the device key', () => {
  const cred = worldCredential(world);
  const pres = plain.decode(worldPresentation(world, { credential: cred, iatS: 1_800_000_000 })) as Tag;
  assert.is(pres.tag, 18);
  const [prot, , payload, sig] = pres.value as [Uint8Array, unknown, Uint8Array, Uint8Array];
  assert.is(hex(prot), 'a10126');
  const p = plain.decode(payload) as Map<number, unknown>;
  assert.equal([...p.keys()], [1, 2, 3]);
  assert.is(hex(p.get(1) as Uint8Array), hex(cred));
  assert.is(p.get(2), 1_800_000_000);
  assert.is((p.get(3) as Uint8Array).length, 16);
  const tbs = h('84' + cborText('Signature1') + '43a10126' + '40' + cborBstrHeader(payload.length) + hex(payload));
  assert.ok(verifyEs256(world.device.publicKey, tbs, sig));
});

test('QR text and COSE_Encrypt: HKMQ1 + base45(zlib), tag 96, A256GCM, one ECDH-ES+HKDF-256 recipient; decrypts with a hand-built KDF context', () => {
  const presentation = worldPresentation(world);
  const qr = worldQr(world, { credential: worldCredential(world) });
  assert.ok(qr.startsWith('HKMQ1:'));
  assert.ok(/^[0-9A-Z $%*+\-./:]+$/.test(qr.slice(6)), 'base45 alphabet only (QR alphanumeric mode)');
  assert.ok(qr.length > 500 && qr.length < 1000, `about 700 characters, got ${qr.length}`);
  const enc = inflateSync(b45decode(qr.slice(6)));
  assert.is(hex(enc.subarray(0, 2)), 'd860');
  const tagged = plain.decode(enc) as Tag;
  assert.is(tagged.tag, 96);
  const [prot, unprot, ciphertext, recipients] = tagged.value as [Uint8Array, Map<number, Uint8Array>, Uint8Array, unknown[][]];
  assert.is(hex(prot), 'a10103');
  assert.equal([...unprot.keys()], [5]);
  assert.is(unprot.get(5)!.length, 12);
  assert.is(recipients.length, 1);
  const [rProt, rUnprot, rCt] = recipients[0] as [Uint8Array, Map<number, unknown>, Uint8Array];
  assert.is(hex(rProt), 'a1013818');
  assert.is(rCt.length, 0);
  assert.is(Buffer.from(rUnprot.get(4) as Uint8Array).toString(), world.fleet.kid);
  const epkMap = rUnprot.get(-1) as Map<number, unknown>;
  assert.equal([...epkMap.keys()], [1, -1, -2, -3]);
  const epk = createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', x: Buffer.from(epkMap.get(-2) as Uint8Array).toString('base64url'), y: Buffer.from(epkMap.get(-3) as Uint8Array).toString('base64url') } });
  // COSE_KDF_Context [3, [nil,nil,nil], [nil,nil,nil], [256, h'a1013818']] and Enc_structure ["Encrypt", h'a10103', h''] by hand.
  const context = h('84' + '03' + '83f6f6f6' + '83f6f6f6' + '82' + '190100' + '44a1013818');
  const key = hkdfSha256(ecdhSecret(world.fleet.keys.privateKey, epk), context, 32);
  const aad = h('83' + cborText('Encrypt') + '43a10103' + '40');
  const d = createDecipheriv('aes-256-gcm', key, unprot.get(5)!, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plainBytes = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  const inner = plain.decode(plainBytes) as Tag;
  assert.is(inner.tag, 18);
  assert.is(plainBytes.length, presentation.length, 'plaintext is one presentation');
});

test.run();
