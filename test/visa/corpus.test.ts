import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeQrImage } from '../../kiosk/visa/qr-decode.ts';
import { LAYERS } from '../../kiosk/visa/reasons.ts';
import { VisaRevocationList } from '../../kiosk/visa/revocations.ts';
import { VisaTrust } from '../../kiosk/visa/trust.ts';
import { VisaVerifier, type LayerResults } from '../../kiosk/visa/verifier.ts';
import { corpusFiles, LAYER_KEYS, readCase, type CorpusCase } from '../../scripts/visa/corpus.ts';

// The conformance corpus: every file under fixtures/evisa/cases is a case; adding one needs no code.
const DIR = join(import.meta.dirname, '../../fixtures/evisa');
const verifier = new VisaVerifier({ trust: () => VisaTrust.loadBundle(join(DIR, 'trust.json')), revocations: VisaRevocationList.load(join(DIR, 'revocations.json')) });
const files = corpusFiles(DIR);

/** What the layers should say, from EXPECTEDRESULTS (true: ok, false: the reason, absent: not run). */
function expectedLayers(c: CorpusCase): LayerResults {
  const out = {} as LayerResults;
  for (const l of LAYERS) {
    const v = c.EXPECTEDRESULTS[LAYER_KEYS[l]];
    out[l] = v === undefined ? 'not_run' : v ? 'ok' : (c.EXPECTEDRESULTS.EXPECTEDREASON as LayerResults[typeof l]);
  }
  return out;
}

async function run(c: CorpusCase): Promise<{ reason: string; layers: LayerResults }> {
  const text = await decodeQrImage(Buffer.from(c['2DCODE'], 'base64'));
  if (!text) return { reason: 'QR_UNREADABLE', layers: { ...Object.fromEntries(LAYERS.map((l) => [l, 'not_run'])), qr: 'QR_UNREADABLE' } as LayerResults };
  assert.is(text.toString('utf8'), c.SEAL, 'the QR image decodes to the raw seal');
  const r = verifier.verify(text, { nowMs: Date.parse(c.TESTCTX.VALIDATIONCLOCK), ...(c.TESTCTX.HOLDER ? { holder: c.TESTCTX.HOLDER } : {}), layers: { qr: 'ok' } });
  return { reason: r.ok ? 'VALID' : r.reason, layers: r.layers };
}

test('the corpus has positive cases and a negative case for every layer', () => {
  const reasons = files.map((f) => readCase(f).EXPECTEDRESULTS.EXPECTEDREASON);
  assert.ok(reasons.filter((r) => r === 'VALID').length >= 3, 'positive cases');
  for (const [layer, key] of Object.entries(LAYER_KEYS)) {
    assert.ok(files.some((f) => readCase(f).EXPECTEDRESULTS[key] === false), `a negative case for the ${layer} layer`);
  }
  for (const r of ['SEAL_NOT_JSON', 'SEAL_SCHEMA', 'HEADER_TYPE', 'CERT_UNTRUSTED', 'CERT_KEY_USAGE', 'BAD_SIGNATURE', 'ALG_UNSUPPORTED', 'VISA_EXPIRED', 'VISA_REVOKED', 'HOLDER_MISMATCH']) {
    assert.ok(reasons.includes(r as never), `a case for ${r}`);
  }
  console.log(`corpus: ${files.length} cases, ${reasons.filter((r) => r === 'VALID').length} positive, ${reasons.filter((r) => r !== 'VALID').length} negative`);
});

for (const file of files) {
  const name = file.slice(DIR.length + 7);
  test(`corpus ${name}`, async () => {
    const c = readCase(file);
    const got = await run(c);
    assert.is(got.reason, c.EXPECTEDRESULTS.EXPECTEDREASON);
    assert.equal(got.layers, expectedLayers(c));
    if (c.TESTCTX.CERTIFICATE) assert.is(Buffer.from((JSON.parse(c.SEAL) as { sig: { cer: string } }).sig.cer, 'base64url').toString('base64'), c.TESTCTX.CERTIFICATE, 'TESTCTX.CERTIFICATE is the signer the seal carries');
  });
}

test.run();
