import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeQrImage, decodeQrPixels } from '../../kiosk/visa/qr-decode.ts';
import { VISA_REASONS, type VisaReason } from '../../kiosk/visa/reasons.ts';
import { VisaRevocationList } from '../../kiosk/visa/revocations.ts';
import { VisaTrust } from '../../kiosk/visa/trust.ts';
import { VisaVerifier, type VisaResult } from '../../kiosk/visa/verifier.ts';
import { CORPUS_CLOCK, corpusPng } from '../../scripts/visa/corpus.ts';
import { makeSeal, type SealKind } from '../../scripts/visa/kinds.ts';
import { loadVisaPki } from '../../scripts/visa/pki.ts';
import { propertyRun } from '../helpers/property.ts';

/**
 * 10,000 mutated e-Visa seals and QR images: 8,000 byte-level mutations of genuine seal
 * texts, 1,000 value-level mutations of their JSON, 1,000 mutated QR images (PNG bytes and
 * QR modules). None may throw or be accepted — unless the mutation left the seal itself
 * unchanged (JSON whitespace, an image chunk the decoder skips): then it is the genuine
 * seal and must still be accepted. Every refusal carries a reason from the table.
 */
const N_TEXT = Number(process.env.EGATE_VISA_FUZZ_TEXT ?? 8000);
const N_JSON = Number(process.env.EGATE_VISA_FUZZ_JSON ?? 1000);
const N_PNG = Number(process.env.EGATE_VISA_FUZZ_PNG ?? 900);
const N_PIXELS = Number(process.env.EGATE_VISA_FUZZ_PIXELS ?? 100);

const DIR = join(import.meta.dirname, '../../fixtures/evisa');
const pki = loadVisaPki(join(DIR, 'pki'));
const verifier = new VisaVerifier({ trust: () => VisaTrust.loadBundle(join(DIR, 'trust.json')), revocations: new VisaRevocationList() });
const nowMs = Date.parse(CORPUS_CLOCK);
const holderSeal = { n: 'DOE<<JANE', dob: '1990-05-17', i: 'P1234567', nat: 'UTO' };
const holder = { documentNumber: 'P1234567', name: 'DOE<<JANE', birthDate: '900517', nationality: 'UTO' };
const KINDS: SealKind[] = ['valid', 'valid-es384', 'valid-es512', 'valid-multiple-entry'];
const seals = KINDS.map((k, i) => makeSeal(k, pki, { holder: holderSeal, today: CORPUS_CLOCK.slice(0, 10), number: `V2700000${i}` }).text);
const counts = { refused: 0, equivalentAccepted: 0 };
const reasons = new Map<string, number>();

function same(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** The one property every mutant must satisfy. */
function judge(original: string, mutant: Uint8Array | string): void {
  let r: VisaResult;
  try {
    r = verifier.verify(mutant, { nowMs, holder });
  } catch (err) {
    throw new Error(`verify threw: ${(err as Error).message}`);
  }
  const text = typeof mutant === 'string' ? mutant : Buffer.from(mutant).toString('utf8');
  if (r.ok) {
    // Accepted is right only for the very same seal (JSON-equal after a whitespace edit).
    if (!same(original, text) || !Buffer.from(text, 'utf8').equals(Buffer.from(mutant))) throw new Error(`mutant accepted: ${text.slice(0, 120)}`);
    counts.equivalentAccepted++;
    return;
  }
  if (!(r.reason in VISA_REASONS) || VISA_REASONS[r.reason] !== r.layer || !r.detail) throw new Error(`bad refusal ${JSON.stringify(r)}`);
  counts.refused++;
  reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
}

type Mutation = { op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate' | 'swap'; pos: number; val: number };
const mutation = fc.record({ op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate', 'swap'), pos: fc.nat(), val: fc.integer({ min: 0, max: 255 }) }) as fc.Arbitrary<Mutation>;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  // An earlier truncation may have left nothing: the only mutation of nothing is a byte.
  if (bytes.length === 0) return new Uint8Array([m.val]);
  const at = m.pos % bytes.length;
  const b = Array.from(bytes);
  switch (m.op) {
    case 'flip': b[at] = (b[at] ?? 0) ^ (1 << (m.val % 8)); break;
    case 'set': b[at] = ((b[at] ?? 0) + 1 + (m.val % 255)) & 0xff; break;
    case 'insert': b.splice(at, 0, m.val); break;
    case 'delete': b.splice(at, 1); break;
    case 'truncate': b.length = at; break;
    case 'swap': { const j = (at + 1 + m.val) % b.length; [b[at], b[j]] = [b[j]!, b[at]!]; break; }
  }
  return new Uint8Array(b);
}

test(`${N_TEXT} byte-mutated seals: never accepted, never thrown, a reason each`, () => {
  fc.assert(
    fc.property(fc.nat({ max: seals.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
      const original = seals[i]!;
      judge(original, ms.reduce<Uint8Array>((b, m) => mutate(b, m), new Uint8Array(Buffer.from(original))));
    }),
    propertyRun('visa byte mutations', { numRuns: N_TEXT }),
  );
});

/** A path to a value inside the seal, and what to put there. */
const leafPaths = (o: unknown, pre: string[] = []): string[][] =>
  o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => [[...pre, k], ...leafPaths(v, [...pre, k])]) : [];

test(`${N_JSON} value-mutated seals (any field set to any JSON value, or removed, or a key added)`, () => {
  fc.assert(
    fc.property(fc.nat({ max: seals.length - 1 }), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)), fc.boolean(), (i, p, value, addKey) => {
      const original = seals[i]!;
      const seal = JSON.parse(original) as Record<string, unknown>;
      const paths = leafPaths(seal);
      const path = paths[p % paths.length]!;
      let node = seal as Record<string, unknown>;
      for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
      const key = addKey ? `${path.at(-1)}_x` : path.at(-1)!;
      if (value === undefined) delete node[key];
      else node[key] = value;
      judge(original, JSON.stringify(seal));
    }),
    propertyRun('visa value mutations', { numRuns: N_JSON }),
  );
});

test(`${N_PNG + N_PIXELS} mutated QR images (PNG bytes, then QR modules)`, async () => {
  const original = seals[0]!;
  const png = await corpusPng(original);
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let unreadable = 0;
  const imageJudge = (decoded: Buffer | undefined): void => {
    if (!decoded) {
      unreadable++;
      counts.refused++;
      reasons.set('QR_UNREADABLE', (reasons.get('QR_UNREADABLE') ?? 0) + 1);
      return;
    }
    judge(original, decoded);
  };
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
      imageJudge(await decodeQrImage(ms.reduce<Uint8Array>((b, m) => mutate(b, m), new Uint8Array(png))));
    }),
    propertyRun('visa PNG mutations', { numRuns: N_PNG }),
  );
  // Modules: paint random 2×2 cells (one module at 2 px) black or white — few are corrected, many are unreadable.
  fc.assert(
    fc.property(fc.array(fc.record({ x: fc.nat(), y: fc.nat(), black: fc.boolean() }), { minLength: 1, maxLength: 3000 }), (cells) => {
      const px = new Uint8ClampedArray(data);
      for (const c of cells) {
        const x = (c.x % (info.width >> 1)) * 2;
        const y = (c.y % (info.height >> 1)) * 2;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
          const o = ((y + dy) * info.width + x + dx) * 4;
          px[o] = px[o + 1] = px[o + 2] = c.black ? 0 : 255;
        }
      }
      imageJudge(decodeQrPixels(px, info.width, info.height));
    }),
    propertyRun('visa QR module mutations', { numRuns: N_PIXELS }),
  );
  console.log(`QR images: ${N_PNG + N_PIXELS} mutated, ${unreadable} unreadable`);
});

test.after(() => {
  const total = counts.refused + counts.equivalentAccepted;
  console.log(`e-Visa fuzz: ${total} mutants, ${counts.refused} refused, ${counts.equivalentAccepted} unchanged seals accepted; reasons ${JSON.stringify(Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1])))}`);
  assert.is(total, N_TEXT + N_JSON + N_PNG + N_PIXELS);
  for (const r of reasons.keys()) assert.ok(r in VISA_REASONS, r as VisaReason);
});

test.run();
