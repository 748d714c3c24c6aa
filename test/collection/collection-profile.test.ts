import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import type { SimulatedCamera } from '../../drivers/camera/twin.ts';
import type { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { resolvePaths } from '../../kiosk/build.ts';
import { personaliseCard } from '../../kiosk/card/test-cards.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import type { CollectionApp } from '../../kiosk/collection/collection-profile.ts';
import { issueSlip } from '../../kiosk/collection/slip.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { buildKiosk } from '../../kiosk/seat/build-kiosk.ts';
import { createTokenWorld, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';

/**
 * The `collection` profile on the kiosk host, built by buildKiosk from a simulation config
 * alone (registry, dispenser twin on its register map, card reader twin inside it, the host's
 * slip scanner, camera, face engine and journal): it lists its devices, shows the scan screen,
 * and one resident collects their card — slip scanned, card fetched, read and authenticated,
 * face matched, presented, taken — journalled with pseudonyms only, and the slip is spent.
 */
const t = suite<{ dir: string; engine: FaceEngine; world: TokenWorld }>('collection profile on the kiosk host');
const face = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/faces/${f}`, import.meta.url).pathname));

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-col-host-'));
  ctx.world = createTokenWorld({ nowMs: Date.now() });
  saveTokenWorld(ctx.world, join(ctx.dir, 'kiosk', 'tokens'));
  ctx.engine = await createFaceEngine(parseConfig({}).face, { workers: 1 });
});
t.after(async (ctx) => {
  await ctx.engine?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

async function until(what: string, done: () => boolean, seen: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + 60_000; // a deadlock guard only: the steps are events
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`stuck waiting for ${what} ${seen()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t('built from config: devices listed, scan screen; a resident collects their card, journalled with pseudonyms, the slip spent', async ({ dir, engine, world }) => {
  const config = resolvePaths(
    parseConfig({
      gate: 'COL-01',
      profile: 'collection',
      dataDir: 'var',
      camera: { driver: 'simulated' },
      readers: { scanners: [{ kind: 'simulated' }], card: { driver: 'simulated' } },
      dispenser: { driver: 'simulated' },
      tokens: { fleetKeysDir: 'tokens/fleet', trustListPath: 'tokens/trust-list.json', revocationListPath: 'tokens/revocations.json' },
    }),
    join(dir, 'kiosk'),
  );
  const seat = await buildKiosk(config, { clock: new SystemClock(), log: silentLogger(), engine });
  await seat.start();
  try {
    const journalled: Record<string, unknown>[] = [];
    seat.on('journal', (e) => {
      if (e.type === ('collection_step' as typeof e.type)) journalled.push(e.data as Record<string, unknown>);
    });
    const st = seat.status();
    assert.is(st.profile, 'collection');
    assert.equal(st.devices.dispenser, { healthy: true });
    assert.equal(st.devices.card_reader, { healthy: true });
    assert.is(seat.page.screen().id, 'scan_slip');

    const app = seat.app as CollectionApp;
    assert.ok(app.twin, 'simulated dispenser and reader: the twin physics runs');
    const sub = 'R5123456';
    const number = 'C123456(7)';
    const card = personaliseCard(world, { photo: face('person07-30.jpg'), sub, number });
    app.twin!.load(3, 'card-a', card);
    app.stock.load(number, 3);
    await (app.camera as SimulatedCamera).show(face('person07-29.jpg'));
    const nowS = Math.floor(Date.now() / 1000);
    const slip = issueSlip({ issuerKey: world.issuer.keys.privateKey, issuerKid: world.issuer.kid, sub, cardNumber: number, iat: nowS - 60, exp: nowS + 86_400 });
    assert.ok((app.slipScanners[0] as SimulatedScanner).scan(slip), 'the scanner took the slip');

    await until('the card in the mouth', () => seat.page.screen().id === 'take_card' && app.twin!.plant.card.place === 'mouth', () => `screen ${seat.page.screen().id}, steps ${journalled.map((d) => `${String(d.step)}/${String(d.reason)}`).join(',')}`);
    assert.ok(seat.app.busy(), 'a collection is under way');
    await until('the card free to take', () => app.twin!.plant.take());
    await until('the thank-you screen', () => seat.page.screen().id === 'collected', () => `screen ${seat.page.screen().id}, steps ${journalled.map((d) => `${String(d.step)}/${String(d.reason)}`).join(",")}`);
    assert.equal(app.twin!.plant.taken, ['card-a']);
    assert.is(app.twin!.plant.bin.length, 0);

    const steps = journalled.map((d) => d.step);
    for (const s of ['slip_accepted', 'card_fetched', 'card_genuine', 'face_matched', 'card_presented', 'card_taken']) assert.ok(steps.includes(s), `${s} journalled (got ${steps.join(',')})`);
    const text = JSON.stringify(journalled);
    assert.not.ok(text.includes(sub) || text.includes(number) || text.includes('HKCS1:'), 'no sub, card number or slip text in the journal');
    assert.ok(readFileSync(join(config.dataDir, 'collected-slips.log'), 'utf8').trim().length > 0, 'the slip is spent on disk');
    assert.ok(app.stock.used(String(journalled.find((d) => d.step === 'card_taken')!.slip)));
  } finally {
    await seat.stop();
  }
});

t.run();
