import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { issueSlip, verifySlip } from '../../kiosk/collection/slip.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const w = createTokenWorld({ nowMs: NOW });
const trustList = new TrustList(w.trustList);
const nowS = Math.floor(NOW / 1000);
const spec = { issuerKey: w.issuer.keys.privateKey, issuerKid: w.issuer.kid, sub: 'R0012345', cardNumber: 'Z683365(5)', iat: nowS - 60, exp: nowS + 14 * 86_400 };
const reason = (r: ReturnType<typeof verifySlip>) => (r.ok ? 'OK' : r.reason);

test('a slip issued by a trusted issuer names the resident and the card; neither is serialised', () => {
  const text = issueSlip(spec);
  assert.ok(text.startsWith('HKCS1:'));
  const r = verifySlip(text, { trustList, nowMs: NOW });
  assert.is(reason(r), 'OK');
  if (!r.ok) return;
  assert.is(r.sub, 'R0012345');
  assert.is(r.cardNumber, 'Z683365(5)');
  assert.is(r.kid, w.issuer.kid);
  const json = JSON.stringify(r);
  assert.not.ok(json.includes('R0012345') || json.includes('Z683365'), json);
});

test('every refusal has its reason: untrusted issuer, tampered, expired, revoked, malformed, a credential that is not a slip', () => {
  assert.is(reason(verifySlip(issueSlip({ ...spec, issuerKey: w.rogueIssuer.keys.privateKey, issuerKid: w.rogueIssuer.kid }), { trustList, nowMs: NOW })), 'ISSUER_UNTRUSTED');
  // Signed by the rogue key under the trusted kid: a forgery.
  assert.is(reason(verifySlip(issueSlip({ ...spec, issuerKey: w.rogueIssuer.keys.privateKey }), { trustList, nowMs: NOW })), 'BAD_SIGNATURE');
  assert.is(reason(verifySlip(issueSlip({ ...spec, exp: nowS - 1 }), { trustList, nowMs: NOW })), 'SLIP_EXPIRED');
  const cti = new Uint8Array(16).fill(7);
  const revoked = issueSlip({ ...spec, cti });
  const ok = verifySlip(revoked, { trustList, nowMs: NOW });
  assert.ok(ok.ok);
  assert.is(reason(verifySlip(revoked, { trustList, nowMs: NOW, revokedCti: (h) => ok.ok && h === ok.ctiHash })), 'REVOKED');
  for (const bad of ['', 'HKCS1:', 'HKCS1:!!!', 'HKMQ1:ABC', 'HKCS1:' + 'A'.repeat(3000)]) assert.is(reason(verifySlip(bad, { trustList, nowMs: NOW })), 'MALFORMED', bad.slice(0, 12));
  const text = issueSlip(spec);
  const flipped = text.slice(0, -3) + (text.at(-3) === 'A' ? 'B' : 'A') + text.slice(-2);
  assert.ok(['MALFORMED', 'BAD_SIGNATURE'].includes(reason(verifySlip(flipped, { trustList, nowMs: NOW }))));
});

test('a refusal names the slip only by its hash', () => {
  const r = verifySlip(issueSlip({ ...spec, exp: nowS - 1 }), { trustList, nowMs: NOW });
  assert.not.ok(r.ok);
  assert.not.ok(JSON.stringify(r).includes('R0012345'));
  assert.match((r as { slip: string }).slip, /^[0-9a-f]{16}$/);
});

test('scripts/issue-slip.ts issues a slip the kiosk accepts with the world’s trust list', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { execFileSync } = await import('node:child_process');
  const { saveTokenWorld } = await import('../../kiosk/tokens/world-files.ts');
  const dir = mkdtempSync(join(tmpdir(), 'egate-slip-'));
  try {
    const world = createTokenWorld({ nowMs: Date.now() });
    saveTokenWorld(world, dir);
    const script = new URL('../../scripts/issue-slip.ts', import.meta.url).pathname;
    const text = execFileSync(process.execPath, ['--import', 'tsx', script, '--world', dir, '--sub', 'R0099999', '--card', 'A1234563'], { encoding: 'utf8', timeout: 60_000 }).trim();
    const r = verifySlip(text, { trustList: new TrustList(world.trustList), nowMs: Date.now() });
    assert.is(reason(r), 'OK');
    assert.is(r.ok && r.cardNumber, 'A1234563');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
