import { deflateSync } from 'node:zlib';
import { encode as b45encode } from '@digitalbazaar/base45';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateP256 } from '../../kiosk/tokens/cose-key.ts';
import { trustListEntry } from '../../kiosk/tokens/issuer.ts';
import { REASONS, type TokenResult } from '../../kiosk/tokens/reasons.ts';
import { HOLDER, makeVariant, VARIANTS, worldCredential, worldQr, type VariantName } from '../../kiosk/tokens/token-world.ts';
import { TokenVerifier } from '../../kiosk/tokens/verifier.ts';
import { makeRig } from './fixture.ts';

const S = 1000;
const reasonOf = (r: TokenResult): string => (r.ok ? 'OK' : r.reason);

for (const name of Object.keys(VARIANTS) as VariantName[]) {
  test(`variant ${name} gives ${VARIANTS[name]}`, async () => {
    const rig = makeRig();
    try {
      const v = makeVariant(rig.world, name);
      if (v.presentTwice) assert.is(reasonOf(await rig.verifier.verify(v.input, v.channel)), 'OK', 'first presentation passes');
      const r = await rig.verifier.verify(v.input, v.channel);
      assert.is(reasonOf(r), v.expect);
      if (!r.ok) {
        assert.ok(REASONS.includes(r.reason));
        assert.match(r.inputHash, /^[0-9a-f]{16}$/);
        const text = typeof v.input === 'string' ? v.input : Buffer.from(v.input).toString('latin1');
        assert.not.ok(r.detail?.includes(HOLDER), 'detail never names the holder');
        assert.not.ok(text.length > 8 && r.detail?.includes(text.slice(6, 14)), 'detail never echoes token text');
      }
    } finally {
      rig.close();
    }
  });
}

test('an accepted token carries sub for the gate but never serialises it', async () => {
  const rig = makeRig();
  const r = await rig.verifier.verify(worldQr(rig.world), 'qr');
  rig.close();
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.sub, HOLDER);
  assert.is(r.kind, 'mobile');
  assert.is(r.kid, 'HKIMMD-2026-1');
  assert.is(r.fleetKid, rig.world.fleet.kid);
  assert.match(r.ctiHash, /^[0-9a-f]{16}$/);
  assert.not.ok(JSON.stringify(r).includes(HOLDER));
  assert.not.ok(Object.keys(r).includes('sub'));
});

test('credential exp: accepted up to the clock skew, CREDENTIAL_EXPIRED one second after', async () => {
  const rig = makeRig();
  const nowS = rig.world.nowMs / S;
  assert.is(reasonOf(await rig.verifier.verify(worldQr(rig.world, { expS: nowS - 60 }), 'qr')), 'OK');
  assert.is(reasonOf(await rig.verifier.verify(worldQr(rig.world, { expS: nowS - 61 }), 'qr')), 'CREDENTIAL_EXPIRED');
  assert.is(reasonOf(await rig.verifier.verify(worldCredential(rig.world, { expS: nowS - 61, mobile: false }), 'card')), 'CREDENTIAL_EXPIRED');
  rig.close();
});

test('presentation iat: ±30 s passes, 31 s either way is PRESENTATION_EXPIRED', async () => {
  const rig = makeRig();
  const nowS = rig.world.nowMs / S;
  for (const [d, want] of [[-30, 'OK'], [30, 'OK'], [-31, 'PRESENTATION_EXPIRED'], [31, 'PRESENTATION_EXPIRED']] as const) {
    assert.is(reasonOf(await rig.verifier.verify(worldQr(rig.world, { iatS: nowS + d }), 'qr')), want, `iat ${d}`);
  }
  rig.close();
});

test('trust list: replaced at run time; a key out of its dates is ISSUER_UNTRUSTED', async () => {
  const rig = makeRig();
  const qr = (): string => worldQr(rig.world);
  assert.is(reasonOf(await rig.verifier.verify(qr(), 'qr')), 'OK');
  const { issuer } = rig.world;
  rig.trustList.replace({ [issuer.kid]: trustListEntry(issuer.keys.publicKey, new Date(rig.world.nowMs + 3600 * S), new Date(rig.world.nowMs + 7200 * S)) });
  assert.is(reasonOf(await rig.verifier.verify(qr(), 'qr')), 'ISSUER_UNTRUSTED', 'not yet valid');
  rig.trustList.replace({ [issuer.kid]: trustListEntry(issuer.keys.publicKey, new Date(0), new Date(rig.world.nowMs - S)) });
  assert.is(reasonOf(await rig.verifier.verify(qr(), 'qr')), 'ISSUER_UNTRUSTED', 'no longer valid');
  // A bad update is refused whole and the list in force stays.
  assert.throws(() => rig.trustList.replace({ [issuer.kid]: { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, notBefore: 'x', notAfter: 'y' } }), /TRUST_LIST|trust list/);
  rig.trustList.replace({ [issuer.kid]: trustListEntry(issuer.keys.publicKey, new Date(0), new Date(rig.world.nowMs + 3600 * S)) });
  assert.is(reasonOf(await rig.verifier.verify(qr(), 'qr')), 'OK');
  rig.close();
});

test('revocation list: replaced at run time, by cti or by sub, card and mobile alike', async () => {
  const rig = makeRig();
  const cti = new Uint8Array(16).fill(7);
  const card = worldCredential(rig.world, { mobile: false, cti });
  assert.is(reasonOf(await rig.verifier.verify(card, 'card')), 'OK');
  rig.revocations.replace({ cti: [Buffer.from(cti).toString('hex')] });
  assert.is(reasonOf(await rig.verifier.verify(card, 'card')), 'REVOKED');
  rig.revocations.replace({ sub: [HOLDER] });
  assert.is(reasonOf(await rig.verifier.verify(worldQr(rig.world), 'qr')), 'REVOKED');
  assert.throws(() => rig.revocations.replace({ cti: ['not-hex'] }));
  assert.is(reasonOf(await rig.verifier.verify(worldQr(rig.world), 'qr')), 'REVOKED', 'a bad update leaves the list in force');
  rig.close();
});

test('NOT_ENROLLED: async enrolment lookups are awaited; a failing store fails closed', async () => {
  const rig = makeRig();
  const base = { clock: rig.clock, fleetKeys: rig.fleetKeys, trustList: rig.trustList, revocations: rig.revocations, replayCache: rig.replayCache, service: 'ECH' };
  const asyncYes = new TokenVerifier({ ...base, hasReference: async () => true });
  assert.is(reasonOf(await asyncYes.verify(worldQr(rig.world), 'qr')), 'OK');
  const asyncNo = new TokenVerifier({ ...base, hasReference: async () => false });
  assert.is(reasonOf(await asyncNo.verify(worldQr(rig.world), 'qr')), 'NOT_ENROLLED');
  const broken = new TokenVerifier({ ...base, hasReference: () => { throw new Error('db gone'); } });
  const r = await broken.verify(worldQr(rig.world), 'qr');
  assert.is(reasonOf(r), 'NOT_ENROLLED');
  rig.close();
});

test('vehicle gate checks VEH; a pedestrian-only credential is NOT_ELIGIBLE there', async () => {
  const rig = makeRig();
  const veh = new TokenVerifier({ clock: rig.clock, fleetKeys: rig.fleetKeys, trustList: rig.trustList, revocations: rig.revocations, replayCache: rig.replayCache, service: 'VEH', hasReference: () => true });
  assert.is(reasonOf(await veh.verify(worldQr(rig.world, { services: ['ECH'] }), 'qr')), 'NOT_ELIGIBLE');
  assert.is(reasonOf(await veh.verify(worldQr(rig.world, { services: ['VEH'] }), 'qr')), 'OK');
  rig.close();
});

test('wrong input shapes are MALFORMED, never a crash', async () => {
  const rig = makeRig();
  const v = rig.verifier;
  assert.is(reasonOf(await v.verify('', 'qr')), 'MALFORMED');
  assert.is(reasonOf(await v.verify('HKMQ1:', 'qr')), 'MALFORMED');
  assert.is(reasonOf(await v.verify('hkmq1:ABC', 'qr')), 'MALFORMED');
  assert.is(reasonOf(await v.verify('HKMQ9:ABC', 'qr')), 'UNSUPPORTED_VERSION');
  assert.is(reasonOf(await v.verify('é'.repeat(2049), 'qr')), 'MALFORMED', 'over 4 KiB in UTF-8');
  assert.is(reasonOf(await v.verify(worldQr(rig.world), 'card')), 'MALFORMED', 'text on the card channel');
  assert.is(reasonOf(await v.verify(new Uint8Array(0), 'card')), 'MALFORMED');
  assert.is(reasonOf(await v.verify(new Uint8Array(4097), 'card')), 'MALFORMED');
  assert.is(reasonOf(await v.verify(worldQr(rig.world), 'nfc' as never)), 'MALFORMED');
  assert.is(reasonOf(await v.verify(null as never, 'qr')), 'MALFORMED');
  assert.is(reasonOf(await v.verify(Buffer.from(worldQr(rig.world), 'latin1'), 'qr')), 'OK', 'scanner bytes are read as text');
  const wrap = (bytes: Uint8Array): string => 'HKMQ1:' + b45encode(new Uint8Array(deflateSync(bytes)));
  assert.is(reasonOf(await v.verify(wrap(new Uint8Array(1 << 20)), 'qr')), 'MALFORMED', 'zlib bomb stops at the inflate cap');
  const deep = new Uint8Array(16_000).fill(0x81);
  deep[deep.length - 1] = 0;
  assert.is(reasonOf(await v.verify(wrap(deep), 'qr')), 'MALFORMED', 'deeply nested arrays');
  assert.is(reasonOf(await v.verify(deep.subarray(0, 4000), 'card')), 'MALFORMED');
  rig.close();
});

test('a QR from a phone whose credential names another device key is BAD_SIGNATURE', async () => {
  const rig = makeRig();
  const other = generateP256();
  const cred = worldCredential(rig.world);
  assert.is(reasonOf(await rig.verifier.verify(worldQr(rig.world, { credential: cred, deviceKey: other.privateKey }), 'qr')), 'BAD_SIGNATURE');
  rig.close();
});

test.run();
