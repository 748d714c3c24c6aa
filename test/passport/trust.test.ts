import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { ConfigError } from '../../kiosk/errors.ts';
import { parseDg1 } from '../../kiosk/passport/lds.ts';
import { passiveAuthentication } from '../../kiosk/passport/passive-auth.ts';
import { TrustList } from '../../kiosk/passport/trust.ts';
import { makePassports, type TestPki } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';

interface Ctx {
  dir: string;
  pki: TestPki;
  untrusted: string;
}

const t = peerSuite<Ctx>('passport: trust list from PEM files, CRLs and CSCA master lists', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-trust-'));
  const made = await makePassports(ctx.dir, { kinds: ['untrusted-ds'], faceSize: { width: 48, height: 64 } });
  ctx.pki = made.pki;
  ctx.untrusted = made.passports.get('untrusted-ds')!;
});

t.after((ctx) => {
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

function pa(ctx: Ctx, trust: TrustList): string | undefined {
  const img = loadChipImage(ctx.untrusted);
  try {
    passiveAuthentication({
      efSod: img.files.get(0x011d)!, dataGroups: new Map([[1, img.files.get(0x0101)!], [2, img.files.get(0x0102)!]]), comGroups: [1, 2],
      dg1Mrz: parseDg1(img.files.get(0x0101)!), opticalMrz: img.mrz, trust, now: new Date(),
    });
    return undefined;
  } catch (e) {
    return (e as { code: string }).code;
  }
}

t('a DS under a CSCA that is not trusted fails PA_CHAIN; a master list signed under a trusted CSCA adds that CSCA', (ctx) => {
  assert.is(pa(ctx, TrustList.load({ csca: [ctx.pki.cscaPem] })), 'PA_CHAIN');
  const trust = TrustList.load({ csca: [ctx.pki.cscaPem], masterLists: [ctx.pki.masterList] });
  assert.is(trust.cscas.length, 2);
  assert.is(pa(ctx, trust), undefined);
});

t('a master list whose signer no configured CSCA issued is a ConfigError, not a trust anchor', (ctx) => {
  try {
    TrustList.load({ csca: [ctx.pki.cscaPem], masterLists: [ctx.pki.rogueMasterList] });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as ConfigError).issues[0]!.message, /not issued by a configured CSCA/);
  }
});

t('a master list with one byte changed does not verify', (ctx) => {
  const bad = join(ctx.dir, 'ml-bad.cms');
  const bytes = readFileSync(ctx.pki.masterList);
  bytes[bytes.length - 5]! ^= 0x01;
  writeFileSync(bad, bytes);
  assert.throws(() => TrustList.load({ csca: [ctx.pki.cscaPem], masterLists: [bad] }), (e: unknown) => e instanceof ConfigError);
});

t('a CRL that no trusted CSCA signed, a missing path and an empty list are ConfigErrors', (ctx) => {
  assert.throws(() => TrustList.load({ csca: [ctx.pki.otherCscaPem], crl: [ctx.pki.crlPem] }), (e: unknown) => e instanceof ConfigError);
  assert.throws(() => TrustList.load({ csca: [join(ctx.dir, 'nowhere')] }), (e: unknown) => e instanceof ConfigError);
  assert.throws(() => TrustList.load({ csca: [] }), (e: unknown) => e instanceof ConfigError);
});

t.run();
