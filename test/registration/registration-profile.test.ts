import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import type { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { SimulatedMrzReader } from '../../drivers/mrz/twin.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { resolvePaths } from '../../kiosk/build.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import type { RegistrationApp } from '../../kiosk/registration/registration-profile.ts';
import { REFUSALS } from '../../kiosk/registration/registration-screens.ts';
import { buildKiosk } from '../../kiosk/seat/build-kiosk.ts';
import { makePassports } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * The `registration` profile on the kiosk host, built from configuration alone (registry,
 * Express passport parts on the simulated chip and MRZ reader, printer twin, the host's
 * journal and store): it reports its devices, starts on the welcome screen without any
 * token trust list, and a passport whose Document Signer no trusted CSCA issued is refused
 * as "chip not genuine", journalled, with nothing enrolled. The full visits run in the
 * scenario test (registration-scenarios.test.ts).
 */
const t = peerSuite<{ dir: string; engine: FaceEngine; passports: Map<string, string>; csca: string; crl: string }>('registration profile on the kiosk host', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-reg-host-'));
  const { pki, passports } = await makePassports(join(ctx.dir, 'passports'), { photo: new URL('../../fixtures/faces/person07-30.jpg', import.meta.url).pathname, kinds: ['valid', 'untrusted-ds'] });
  ctx.passports = passports;
  ctx.csca = pki.cscaPem;
  ctx.crl = pki.crlPem;
  ctx.engine = await createFaceEngine(parseConfig({}).face, { workers: 1 });
});
t.after(async (ctx) => {
  await ctx.engine?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('built from config: devices listed, welcome screen, an untrusted passport refused CHIP_NOT_GENUINE and journalled, nothing enrolled', async (ctx) => {
  const config = resolvePaths(
    parseConfig({
      gate: 'REG-01',
      profile: 'registration',
      dataDir: 'var',
      camera: { driver: 'simulated' },
      passport: { chipReader: 'simulated', mrzReader: { kind: 'simulated' }, cscaPaths: [ctx.csca], crlPaths: [ctx.crl] },
      printer: { driver: 'simulated' },
    }),
    join(ctx.dir, 'kiosk'),
  );
  const seat = await buildKiosk(config, { clock: new SystemClock(), log: silentLogger(), engine: ctx.engine });
  await seat.start();
  try {
    const journalled: { type: string; data: Record<string, unknown> }[] = [];
    seat.on('journal', (e) => journalled.push({ type: e.type, data: e.data as Record<string, unknown> }));
    const st = seat.status();
    assert.is(st.profile, 'registration');
    assert.equal(st.devices.printer, { healthy: true });
    assert.equal(st.devices.mrz_reader, { healthy: true });
    assert.is(seat.page.screen().id, 'welcome');

    const app = seat.app as RegistrationApp;
    const image = loadChipImage(ctx.passports.get('untrusted-ds')!);
    seat.page.act('start');
    (app.express.chipReader as SimulatedChipReader).insert(new SimulatedChip(image));
    (app.express.mrzReader as SimulatedMrzReader).swipe(image.mrz);
    const deadline = Date.now() + 20_000;
    while (seat.page.screen().id !== 'refused') {
      if (Date.now() > deadline) throw new Error(`stuck on ${seat.page.screen().id}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(seat.page.screen().lines[0], REFUSALS.CHIP_NOT_GENUINE);
    assert.ok(seat.status().inCrossing === false || seat.status().inCrossing === undefined, 'a refusal on screen is not a transaction under way');
    assert.is(seat.references.count(), 0);
    const refused = journalled.find((j) => j.type === 'registration_refused');
    assert.ok(refused, 'registration_refused journalled');
    assert.equal(refused!.data, { reason: 'PA_CHAIN', step: 'document' });
  } finally {
    await seat.stop();
  }
});

t.run();
