import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chipSignatureValid, checkSmartIdCard, makeChallenge, type SmartIdResult } from '../../kiosk/card/smart-id-check.ts';
import { CARD_KINDS, chipSign, makeTestCard, personaliseCard, type CardKind, type TestCard } from '../../kiosk/card/test-cards.ts';
import { generateP256 } from '../../kiosk/tokens/cose-key.ts';
import { HOLDER, UNENROLLED_HOLDER } from '../../kiosk/tokens/token-world.ts';
import { makeRig } from '../tokens/fixture.ts';

const PHOTO = new Uint8Array(randomBytes(3000));
const OTHER = new Uint8Array(randomBytes(3000));
const reasonOf = (r: SmartIdResult): string => (r.ok ? 'OK' : r.reason);

type Rig = ReturnType<typeof makeRig>;
function check(rig: Rig, card: TestCard, authenticate = (c: Uint8Array) => Promise.resolve(chipSign(card.chipKey, c)), gateId = 'LWP-E07') {
  return checkSmartIdCard({ files: card.files, authenticate, gateId, verifier: rig.verifier });
}

for (const kind of Object.keys(CARD_KINDS) as CardKind[]) {
  test(`test card ${kind} gives ${CARD_KINDS[kind]}`, async () => {
    const rig = makeRig();
    try {
      const card = makeTestCard(rig.world, kind, PHOTO, OTHER);
      const r = await checkSmartIdCard({ files: card.files, authenticate: async (c) => chipSign(card.chipKey, c), gateId: 'LWP-E07', verifier: rig.verifier });
      assert.is(reasonOf(r), CARD_KINDS[kind]);
      if (r.ok) {
        assert.is(r.token.sub, HOLDER);
        assert.is(r.card.version, 2);
        assert.not.ok(JSON.stringify(r.card).includes('Z683365'), 'card number is not serialised');
      } else {
        assert.not.ok(r.detail.includes(HOLDER));
      }
    } finally {
      rig.close();
    }
  });
}

test('a read that failed (no application, card pulled) is CARD_UNREADABLE', async () => {
  const rig = makeRig();
  const r = await checkSmartIdCard({ files: undefined, authenticate: async () => new Uint8Array(64), gateId: 'g', verifier: rig.verifier });
  rig.close();
  assert.is(reasonOf(r), 'CARD_UNREADABLE');
});

test('a photo over 32 KB or an empty file is CARD_UNREADABLE before the credential is decoded', async () => {
  const rig = makeRig();
  const c = personaliseCard(rig.world, { photo: new Uint8Array(32 * 1024 + 1) });
  assert.is(reasonOf(await check(rig, c)), 'CARD_UNREADABLE');
  assert.is(reasonOf(await check(rig, { ...c, files: { ...c.files, card: new Uint8Array(0) } })), 'CARD_UNREADABLE');
  rig.close();
});

test('tokens.md reasons pass through: bad signature, not enrolled, not eligible', async () => {
  const rig = makeRig();
  const w = rig.world;
  const good = personaliseCard(w, { photo: PHOTO });
  const flipped = good.files.cred.slice();
  flipped[flipped.length - 1]! ^= 1;
  const unenrolled = personaliseCard(w, { photo: PHOTO, sub: UNENROLLED_HOLDER });
  const ineligible = personaliseCard(w, { photo: PHOTO, services: ['XYZ'] });
  assert.is(reasonOf(await check(rig, { ...good, files: { ...good.files, cred: flipped } })), 'BAD_SIGNATURE');
  assert.is(reasonOf(await check(rig, unenrolled)), 'NOT_ENROLLED');
  assert.is(reasonOf(await check(rig, ineligible)), 'NOT_ELIGIBLE');
  rig.close();
});

test('checks run in order: a photo-swapped card is never asked to authenticate; an expired one never hashed', async () => {
  const rig = makeRig();
  const swapped = makeTestCard(rig.world, 'photo-swapped', PHOTO, OTHER);
  let asked = 0;
  const r = await check(rig, swapped, async (c) => (asked++, chipSign(swapped.chipKey, c)));
  rig.close();
  assert.is(reasonOf(r), 'CARD_PHOTO_MISMATCH');
  assert.is(asked, 0);
});

test('a card pulled during INTERNAL AUTHENTICATE is CARD_UNREADABLE; a wrong-length or replayed answer is CARD_NOT_GENUINE', async () => {
  const rig = makeRig();
  const card = personaliseCard(rig.world, { photo: PHOTO });
  assert.is(reasonOf(await check(rig, card)), 'OK');
  assert.is(reasonOf(await check(rig, card, async () => { throw new Error('removed'); })), 'CARD_UNREADABLE');
  assert.is(reasonOf(await check(rig, card, async (c) => chipSign(card.chipKey, c).slice(0, 63))), 'CARD_NOT_GENUINE');
  // An answer recorded for another challenge (a relay replaying an old session) does not verify.
  const old = chipSign(card.chipKey, makeChallenge('LWP-E07'));
  assert.is(reasonOf(await check(rig, card, async () => old)), 'CARD_NOT_GENUINE');
  rig.close();
});

test('the challenge is 16 fresh bytes then SHA-256(gate id)[0..16], and the signature binds it', () => {
  const a = makeChallenge('LWP-E07');
  const b = makeChallenge('LWP-E07');
  assert.is(a.length, 32);
  assert.not.equal(a.subarray(0, 16), b.subarray(0, 16));
  assert.equal(a.subarray(16), b.subarray(16));
  assert.not.equal(makeChallenge('LWP-E08').subarray(16), a.subarray(16));
  const chip = generateP256();
  const sig = chipSign(chip.privateKey, a);
  assert.ok(chipSignatureValid(chip.publicKey, a, sig));
  assert.not.ok(chipSignatureValid(chip.publicKey, b, sig));
  assert.not.ok(chipSignatureValid(generateP256().publicKey, a, sig));
});

test('a plain card credential (no chip key, no photo claim) read as a smart-ID card is refused (CARD_PHOTO_MISMATCH)', async () => {
  const rig = makeRig();
  const { worldCredential } = await import('../../kiosk/tokens/token-world.ts');
  const card = personaliseCard(rig.world, { photo: PHOTO });
  const plain = worldCredential(rig.world, { mobile: false });
  const r = await check(rig, { ...card, files: { ...card.files, cred: plain } });
  // No photo claim either: the photo check (3) comes before the chip check (4).
  assert.is(reasonOf(r), 'CARD_PHOTO_MISMATCH');
  rig.close();
});

test.run();
