import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { createExpressVisa, looksLikeSeal, VisaInbox } from '../../kiosk/express/visa-check.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { parseTd3 } from '../../kiosk/passport/index.ts';
import { makeMrz } from '../../scripts/make-passport.ts';
import { makeSeal, type SealKind } from '../../scripts/visa/kinds.ts';
import { loadVisaPki } from '../../scripts/visa/pki.ts';
import { localDate } from '../../kiosk/visa/verifier.ts';

const FIX = join(import.meta.dirname, '../../fixtures/evisa');
const pki = loadVisaPki(join(FIX, 'pki'));
const mrz = parseTd3(makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515', nationality: 'XXA' }));

function setup() {
  const clock = new SimulatedClock(Date.UTC(2027, 2, 1, 4));
  const config = parseConfig({ profile: 'express', visa: { requiredNationalities: ['XXA'], roots: { HKG: [join(FIX, 'pki/root.pem')] }, revocationListPath: join(FIX, 'revocations.json'), scanWaitMs: 5000 } }).visa;
  const visa = createExpressVisa(config, { clock, log: silentLogger() });
  const seal = (kind: SealKind, number = 'V55500001') => makeSeal(kind, pki, { holder: { n: 'SPECIMEN<<ALEX', i: 'UT1234567', dob: '1985-01-01', nat: 'XXA' }, today: localDate(clock.now(), 480), number }).text;
  return { clock, visa, seal };
}

test('only the listed nationalities need a visa; a seal is told from an MRZ', () => {
  const { visa } = setup();
  assert.ok(visa.required('XXA'));
  assert.not.ok(visa.required('UTO'));
  assert.ok(looksLikeSeal(' {"data":{}}'));
  assert.not.ok(looksLikeSeal(mrz.lines.join('\n')));
  assert.not.ok(looksLikeSeal(['{', '}']));
});

test('a valid seal scanned while the chip is read is taken; its check reports state and type, not the number', async () => {
  const { clock, visa, seal } = setup();
  const since = clock.monotonic();
  clock.advance(1200);
  visa.inbox.put(seal('valid'));
  const r = await visa.check(mrz, since);
  assert.ok(r.ok, JSON.stringify(r));
  assert.is(r.detail.visa_state, 'HKG');
  assert.not.ok(JSON.stringify(r).includes('V55500001'));
});

test('the visitor scans after the check began waiting: the wait ends on the scan (gate clock)', async () => {
  const { clock, visa, seal } = setup();
  const since = clock.monotonic();
  const pending = visa.check(mrz, since);
  clock.advance(3000);
  visa.inbox.put(seal('other-passport'));
  const r = await pending;
  assert.is(r.ok ? 'ok' : r.reason, 'VISA_HOLDER_MISMATCH');
  assert.is(r.detail.visa_wait_ms, 3000);
});

test('no scan within scanWaitMs: VISA_MISSING; a scan from before this check (the previous visitor) is never used', async () => {
  const { clock, visa, seal } = setup();
  visa.inbox.put(seal('valid'));
  clock.advance(10);
  const pending = visa.check(mrz, clock.monotonic());
  clock.advance(5000);
  const r = await pending;
  assert.is(r.ok ? 'ok' : r.reason, 'VISA_MISSING');
});

test('refusals carry the verifier reason prefixed VISA_ and the failing layer', async () => {
  for (const [kind, reason] of [['forged', 'VISA_BAD_SIGNATURE'], ['expired', 'VISA_EXPIRED'], ['cert-untrusted', 'VISA_CERT_UNTRUSTED'], ['not-json', 'VISA_SEAL_NOT_JSON']] as const) {
    const { clock, visa, seal } = setup();
    const since = clock.monotonic();
    visa.inbox.put(seal(kind));
    const r = await visa.check(mrz, since);
    assert.is(r.ok ? 'ok' : r.reason, reason, kind);
  }
});

test.run();
