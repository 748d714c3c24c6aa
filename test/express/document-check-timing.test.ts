import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { FaceEngine, ReferenceExtraction } from '../../kiosk/biometrics/index.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { createDocumentCheck } from '../../kiosk/express/document-check.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { TrustList } from '../../kiosk/passport/trust.ts';
import { makePassports } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';

/** Simulated milliseconds each APDU costs on the wire (a real reader: ~10–60 ms). */
const APDU_MS = 20;

interface Ctx {
  dir: string;
  trust: TrustList;
  passport: string;
}

const t = peerSuite<Ctx>('express document check: chip_ms in the journal', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-chipms-'));
  const made = await makePassports(ctx.dir, { kinds: ['valid'] });
  ctx.passport = made.passports.get('valid')!;
  ctx.trust = TrustList.load({ csca: [made.pki.cscaPem], crl: [made.pki.crlPem] });
});

t.after((ctx) => {
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

t('chip_ms includes the file reads (every APDU of the session), not just access control and the checks', async (ctx) => {
  const clock = new SimulatedClock(0);
  const image = loadChipImage(ctx.passport);
  const reader = new SimulatedChipReader();
  reader.insert(new SimulatedChip(image));
  // Each APDU takes APDU_MS on the gate clock, as a real reader's air time does.
  const transmit = reader.transmit.bind(reader);
  reader.transmit = async (apdu) => {
    const answer = await transmit(apdu);
    clock.advance(APDU_MS);
    return answer;
  };
  const extraction: ReferenceExtraction = { template: new Float32Array(512), quality: {} as never, acceptable: true, issues: [] };
  const engine = { extractReference: async () => extraction } as unknown as FaceEngine;
  const check = createDocumentCheck({ chip: reader, trust: () => ctx.trust, engine, clock, log: silentLogger(), pseudonym: (v) => `p:${v.length}` });
  const before = reader.transmits;
  const verdict = await check('passport', [...image.mrz]);
  const apdus = reader.transmits - before;
  assert.ok(verdict.ok, JSON.stringify(verdict));
  assert.ok(apdus > 50, `a full read is many APDUs (${apdus})`);
  assert.is(verdict.detail?.chip_ms, apdus * APDU_MS);
});

t.run();
