import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FID, loadCardImage } from '../../drivers/card/card-image.ts';
import { checkSmartIdCard } from '../../kiosk/card/smart-id-check.ts';
import { CARD_KINDS, chipSign, type CardKind } from '../../kiosk/card/test-cards.ts';
import { loadTokenWorld, saveTokenWorld } from '../../kiosk/tokens/world-files.ts';
import { makeCards } from '../../scripts/make-card.ts';
import { makeRig } from '../tokens/fixture.ts';

test('make-card writes every contract kind from a saved token world; each gets its reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-cards-'));
  const rig = makeRig();
  try {
    saveTokenWorld(rig.world, join(dir, 'world'));
    const world = loadTokenWorld(join(dir, 'world'), rig.world.nowMs);
    const made = await makeCards(join(dir, 'cards'), world);
    assert.equal([...made.keys()].sort(), Object.keys(CARD_KINDS).sort());
    for (const [kind, cardDir] of made) {
      const image = loadCardImage(cardDir);
      assert.is(image.expect, CARD_KINDS[kind as CardKind]);
      assert.is(statSync(join(cardDir, 'chip-key.pem')).mode & 0o077, 0, 'chip key readable by its owner only');
      const photo = image.files.get(FID.photo)!;
      assert.ok(photo.length <= 32 * 1024);
      const key = createPrivateKey(image.chipKeyPem);
      const r = await checkSmartIdCard({
        files: { cred: image.files.get(FID.cred)!, photo, card: image.files.get(FID.card)! },
        authenticate: async (c) => chipSign(key, c),
        gateId: 'LWP-E07',
        verifier: rig.verifier,
      });
      assert.is(r.ok ? 'OK' : r.reason, image.expect, kind);
    }
  } finally {
    rig.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
