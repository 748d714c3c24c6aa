import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FID } from '../../drivers/card/card-image.ts';
import type { CardRead } from '../../drivers/card/interface.ts';
import { SimulatedSmartCard } from '../../drivers/card/sim-card.ts';
import { readSmartIdCard } from '../../drivers/card/smart-id-read.ts';
import { checkLaneCard, type LaneCardDeps } from '../../kiosk/card/lane-card.ts';
import { CARD_KINDS, makeTestCard, personaliseCard, type CardKind, type TestCard } from '../../kiosk/card/test-cards.ts';
import { HOLDER, UNENROLLED_HOLDER } from '../../kiosk/tokens/token-world.ts';
import { makeRig, type Rig } from '../tokens/fixture.ts';

const PHOTO = new Uint8Array(randomBytes(3000));
const OTHER = new Uint8Array(randomBytes(3000));

function deps(rig: Rig): LaneCardDeps {
  return {
    gateId: 'LWP-E07',
    verifier: rig.verifier,
    reference: (sub) => (rig.world.enrolled.includes(sub) ? { template: new Float32Array(4) } : undefined),
    pseudonym: (sub) => 'p:' + sub.length,
  };
}

/** Reads a test card over APDUs from the simulated chip, as the twin and PC/SC readers deliver it. */
async function read(card: TestCard): Promise<CardRead> {
  const chip = new SimulatedSmartCard({
    files: new Map([[FID.cred, Buffer.from(card.files.cred)], [FID.photo, Buffer.from(card.files.photo)], [FID.card, Buffer.from(card.files.card)]]),
    chipKeyPem: card.chipKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  });
  const r = await readSmartIdCard(chip, 'sim', () => Date.now());
  if (!('credential' in r)) throw new Error(`read failed: ${r.code}`);
  return r;
}

for (const kind of Object.keys(CARD_KINDS) as CardKind[]) {
  if (kind === 'truncated') continue; // the read itself fails: the reader's 'error', never a TOKEN_READ (pcsc test)
  test(`lane card ${kind} → ${CARD_KINDS[kind]}`, async () => {
    const rig = makeRig();
    try {
      const v = await checkLaneCard(await read(makeTestCard(rig.world, kind, PHOTO, OTHER)), deps(rig));
      assert.is(v.ok ? 'OK' : v.reason, CARD_KINDS[kind]);
      assert.is(v.tokenType, 'card');
      if (v.ok) {
        assert.is(v.detail?.chip, 'verified');
        assert.not.ok(JSON.stringify(v).includes('Z683365'), 'no card number in the verdict');
        assert.not.ok(JSON.stringify(v).includes(HOLDER), 'no raw identity number in the verdict');
      }
    } finally {
      rig.close();
    }
  });
}

test('credential bytes without a chip (a copy, or a reader that yields bytes only) are CARD_NOT_GENUINE: the replay gap is closed', async () => {
  const rig = makeRig();
  try {
    const genuine = await read(personaliseCard(rig.world, { photo: PHOTO }));
    assert.ok((await checkLaneCard(genuine, deps(rig))).ok, 'the genuine card itself clears');
    const copied = { credential: genuine.credential, reader: 'sim', at: Date.now() } satisfies CardRead;
    for (const token of [copied, genuine.credential, 'text', null]) {
      const v = await checkLaneCard(token, deps(rig));
      assert.is(v.ok ? 'OK' : v.reason, 'CARD_NOT_GENUINE');
    }
  } finally {
    rig.close();
  }
});

test('a genuine card of a resident who is not enrolled is NOT_ENROLLED', async () => {
  const rig = makeRig();
  try {
    const v = await checkLaneCard(await read(personaliseCard(rig.world, { photo: PHOTO, sub: UNENROLLED_HOLDER })), deps(rig));
    assert.is(v.ok ? 'OK' : v.reason, 'NOT_ENROLLED');
    assert.not.ok(JSON.stringify(v).includes(UNENROLLED_HOLDER));
  } finally {
    rig.close();
  }
});

test('a chip answer made for another gate does not verify here (the challenge names the gate)', async () => {
  const rig = makeRig();
  try {
    const card = personaliseCard(rig.world, { photo: PHOTO });
    const r = await read(card);
    // A relay that answers every challenge with one it captured at another gate.
    let captured: Uint8Array | undefined;
    await checkLaneCard({ ...r, smartId: { ...r.smartId!, authenticate: async (c: Uint8Array) => (captured = await r.smartId!.authenticate(c)) } }, { ...deps(rig), gateId: 'OTHER-01' });
    const v = await checkLaneCard({ ...r, smartId: { ...r.smartId!, authenticate: async () => captured! } }, deps(rig));
    assert.is(v.ok ? 'OK' : v.reason, 'CARD_NOT_GENUINE');
  } finally {
    rig.close();
  }
});

test.run();
