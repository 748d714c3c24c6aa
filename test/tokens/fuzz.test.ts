import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encryptToFleet } from '../../kiosk/tokens/cose-encrypt.ts';
import { presentationToQr } from '../../kiosk/tokens/issuer.ts';
import { kidBytes } from '../../kiosk/tokens/kid.ts';
import { toQrText } from '../../kiosk/tokens/qr-text.ts';
import { REASONS, type TokenChannel, type TokenReason, type TokenResult } from '../../kiosk/tokens/reasons.ts';
import { worldCredential, worldPresentation, worldQr } from '../../kiosk/tokens/token-world.ts';
import { makeRig } from './fixture.ts';
import { propertyRun } from '../helpers/property.ts';

/**
 * 10,000 mutated tokens, 2,000 per layer, plus arbitrary input. Every mutation changes the
 * bytes of one layer and re-wraps the outer layers correctly, so the verifier must stop at
 * that layer's checks: never accept, never throw, always a reason from the table.
 */
const PER_LAYER = Number(process.env.EGATE_TOKEN_FUZZ_PER_LAYER ?? 2000);
const rig = makeRig();
const w = rig.world;

type Mutation = { op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; pos: number; val: number };
const mutation = fc.record({
  op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
  pos: fc.nat(),
  val: fc.integer({ min: 0, max: 255 }),
}) as fc.Arbitrary<Mutation>;

/** Applies one mutation; the result always differs from the input. */
function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.pos % bytes.length;
  const b = Array.from(bytes);
  switch (m.op) {
    case 'flip': b[at] = (b[at] ?? 0) ^ (1 << (m.val % 8)); break;
    case 'set': b[at] = ((b[at] ?? 0) + 1 + (m.val % 255)) & 0xff; break;
    case 'insert': b.splice(at, 0, m.val); break;
    case 'delete': b.splice(at, 1); break;
    case 'truncate': b.length = at; break;
  }
  return new Uint8Array(b);
}

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
function mutateText(text: string, m: Mutation): string {
  const at = m.pos % text.length;
  const pool = B45 + 'abc\u00e9\u0000';
  let c = pool[m.val % pool.length] ?? 'A';
  if (c === text[at]) c = pool[(m.val + 1) % pool.length] ?? 'B';
  switch (m.op) {
    case 'insert': return text.slice(0, at) + c + text.slice(at);
    case 'delete': return text.slice(0, at) + text.slice(at + 1);
    case 'truncate': return text.slice(0, at);
    default: return text.slice(0, at) + c + text.slice(at + 1);
  }
}

const seen = new Map<string, Map<string, number>>();
async function check(layer: string, input: string | Uint8Array, channel: TokenChannel, allowed: readonly TokenReason[]): Promise<void> {
  let r: TokenResult;
  try {
    r = await rig.verifier.verify(input, channel);
  } catch (err) {
    throw new Error(`${layer}: verify threw ${String(err)}`);
  }
  const got = r.ok ? 'OK' : r.reason;
  const counts = seen.get(layer) ?? new Map<string, number>();
  counts.set(got, (counts.get(got) ?? 0) + 1);
  seen.set(layer, counts);
  if (r.ok || !REASONS.includes(r.reason) || !allowed.includes(r.reason)) throw new Error(`${layer}: got ${got}, allowed ${allowed.join('|')}`);
}

const presentation = worldPresentation(w);
const credential = worldCredential(w);
const card = worldCredential(w, { mobile: false });
const encrypted = encryptToFleet(presentation, w.fleet.keys.publicKey, kidBytes(w.fleet.kid));
const qr = toQrText(encrypted);
const SIGNED: readonly TokenReason[] = ['MALFORMED', 'ISSUER_UNTRUSTED', 'BAD_SIGNATURE'];

test('QR text layer: mutated characters give MALFORMED or UNSUPPORTED_VERSION', async () => {
  await fc.assert(fc.asyncProperty(mutation, (m) => check('text', mutateText(qr, m), 'qr', ['MALFORMED', 'UNSUPPORTED_VERSION'])), propertyRun('fuzz #1', { numRuns: PER_LAYER }));
});

test('COSE_Encrypt layer: mutated bytes give MALFORMED, KEY_UNKNOWN or DECRYPT_FAILED', async () => {
  await fc.assert(fc.asyncProperty(mutation, (m) => check('encrypt', toQrText(mutate(encrypted, m)), 'qr', ['MALFORMED', 'KEY_UNKNOWN', 'DECRYPT_FAILED'])), propertyRun('fuzz #2', { numRuns: PER_LAYER }));
});

test('presentation layer (re-encrypted correctly): MALFORMED, ISSUER_UNTRUSTED or BAD_SIGNATURE', async () => {
  await fc.assert(fc.asyncProperty(mutation, (m) => check('presentation', presentationToQr(mutate(presentation, m), w.fleet.keys.publicKey, w.fleet.kid), 'qr', SIGNED)), propertyRun('fuzz #3', { numRuns: PER_LAYER }));
});

test('credential layer (presentation re-signed by the device, re-encrypted): MALFORMED, ISSUER_UNTRUSTED or BAD_SIGNATURE', async () => {
  await fc.assert(fc.asyncProperty(mutation, (m) => check('credential', worldQr(w, { credential: mutate(credential, m) }), 'qr', SIGNED)), propertyRun('fuzz #4', { numRuns: PER_LAYER }));
});

test('card credential bytes: MALFORMED, ISSUER_UNTRUSTED or BAD_SIGNATURE', async () => {
  await fc.assert(fc.asyncProperty(mutation, (m) => check('card', mutate(card, m), 'card', SIGNED)), propertyRun('fuzz #5', { numRuns: PER_LAYER }));
});

test('arbitrary text and bytes on both channels: a reason from the table, never a crash', async () => {
  const text = fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: fc.constantFrom(...B45), maxLength: 600 }).map((s) => 'HKMQ1:' + s));
  const bytes = fc.uint8Array({ maxLength: 600 });
  await fc.assert(fc.asyncProperty(text, (t) => check('random-text', t, 'qr', REASONS)), propertyRun('fuzz #6', { numRuns: 500 }));
  await fc.assert(fc.asyncProperty(bytes, (b) => check('random-bytes', b, 'card', REASONS)), propertyRun('fuzz #7', { numRuns: 500 }));
});

test('the unmutated tokens still pass (the fuzz started from valid ones)', async () => {
  assert.ok((await rig.verifier.verify(qr, 'qr')).ok);
  assert.ok((await rig.verifier.verify(card, 'card')).ok);
  assert.ok((await rig.verifier.verify(worldQr(w, { credential }), 'qr')).ok);
  const summary = [...seen].map(([layer, c]) => `${layer}: ${[...c].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  console.log(summary.join('\n'));
  rig.close();
});

test.run();
