import * as assert from 'uvu/assert';
import { peerSuite } from '../helpers/suite.ts';
import { expectAll, play } from './scenario-play.ts';

const t = peerSuite('e2e: demo scenarios through the real driver stack', ['socat', 'openssl', 'ffmpeg']);

t('pedestrian: every token kind and behaviour gets its expected outcome', async () => {
  const results = await play('pedestrian-all.json');
  expectAll(results);
  const outcomes = new Set(results.map((r) => r.outcome));
  for (const o of ['CLEARED', 'REJECTED_TOKEN', 'REJECTED_FACE', 'REJECTED_PAD', 'ABANDONED', 'TAILGATE']) assert.ok(outcomes.has(o), `covers ${o}`);
  const reasons = new Set(results.map((r) => r.reason));
  for (const r of ['CREDENTIAL_EXPIRED', 'BAD_SIGNATURE', 'REPLAY', 'REVOKED', 'NOT_ENROLLED', 'NOT_ELIGIBLE', 'MALFORMED']) assert.ok(reasons.has(r), `covers ${r}`);
});

t.run();
