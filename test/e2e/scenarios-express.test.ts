import * as assert from 'uvu/assert';
import { peerSuite } from '../helpers/suite.ts';
import { expectAll, play } from './scenario-play.ts';

const t = peerSuite('e2e: Express demo scenario through the real driver stack', ['socat', 'openssl', 'ffmpeg']);

t('express: every passport kind and behaviour gets its expected outcome', async () => {
  const results = await play('express-all.json');
  expectAll(results);
  const reasons = new Set(results.map((r) => r.reason));
  for (const r of ['PA_HASH', 'DOC_EXPIRED', 'PA_CHAIN', 'CHIP_UNREADABLE', 'NO_MATCH', 'PRESENTATION_ATTACK']) assert.ok(reasons.has(r), `covers ${r}`);
  // Visa-required visitors (issue 16): every kind of e-Visa refusal, and a valid one cleared.
  for (const r of ['VISA_BAD_SIGNATURE', 'VISA_EXPIRED', 'VISA_REVOKED', 'VISA_HOLDER_MISMATCH', 'VISA_MISSING']) assert.ok(reasons.has(r), `covers ${r}`);
  assert.is(results.find((r) => r.traveller === 'visa-valid')?.outcome, 'CLEARED');
});

t.run();
