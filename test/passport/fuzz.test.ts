import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip, type ChipImage } from '../../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { parseCardAccess } from '../../icao/card-access.ts';
import { PASSPORT_REASONS, PassportError } from '../../icao/errors.ts';
import { decodeFace } from '../../kiosk/passport/face-decode.ts';
import { parseDg2 } from '../../kiosk/passport/face-image.ts';
import { parseDg1, parseEfCom } from '../../kiosk/passport/lds.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import { passiveAuthentication } from '../../kiosk/passport/passive-auth.ts';
import { readAndVerifyPassport } from '../../kiosk/passport/read-passport.ts';
import { SmSession, unprotectResponse } from '../../icao/secure-messaging.ts';
import { sealResponse } from '../../drivers/chip/sim-sm.ts';
import { TrustList } from '../../kiosk/passport/trust.ts';
import { makeMrz, makePassports, type PassportKind } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';
import { prng } from '../../core/prng.ts';


/** One mutation of attacker bytes: bit flips, a cut, growth, a splice of noise, or emptiness. */
function mutate(b: Uint8Array, rnd: () => number): Buffer {
  const out = Buffer.from(b);
  const int = (n: number) => Math.floor(rnd() * n);
  switch (int(6)) {
    case 0:
      for (let i = 1 + int(4); i > 0 && out.length; i--) out[int(out.length)]! ^= 1 << int(8);
      return out;
    case 1:
      return out.subarray(0, int(out.length));
    case 2:
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + int(300) }, () => int(256)))]);
    case 3: {
      const at = int(out.length + 1);
      return Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), out.subarray(at + int(8))]);
    }
    case 4:
      if (out.length) out[int(Math.min(out.length, 6))] = [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff][int(7)]!;
      return out;
    default:
      return int(2) ? Buffer.alloc(0) : Buffer.from([0x90, 0x00]);
  }
}

const REASONS = new Set<string>(PASSPORT_REASONS);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

interface Ctx {
  dir: string;
  trust: TrustList;
  images: Map<PassportKind, ChipImage>;
}

const t = peerSuite<Ctx>(`passport: 10,000 mutated chip answers and MRZ lines (seed ${SEED})`, ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-fuzz-'));
  const made = await makePassports(ctx.dir, { kinds: ['valid', 'valid-pace', 'valid-aa', 'valid-ca'], faceSize: { width: 48, height: 64 } });
  ctx.trust = TrustList.load({ csca: [made.pki.cscaPem], crl: [made.pki.crlPem] });
  ctx.images = new Map([...made.passports].map(([k, d]) => [k, loadChipImage(d)]));
});

t.after((ctx) => {
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

async function readWith(ctx: Ctx, image: ChipImage, transform?: (n: number, answer: Uint8Array) => Uint8Array) {
  const reader = new SimulatedChipReader();
  reader.insert(new SimulatedChip(image));
  await reader.connect();
  let n = 0;
  const chip = transform ? { transmit: async (apdu: Uint8Array) => transform(n++, await reader.transmit(apdu)) } : reader;
  return readAndVerifyPassport({ mrz: image.mrz, chip, trust: ctx.trust, clock: new SimulatedClock() });
}

function checkResult(r: { ok: boolean; reason?: string }, label: string): void {
  if (r.ok) return;
  assert.ok(r.reason && REASONS.has(r.reason), `${label}: reason ${r.reason}`);
}

t('1,000 full reads (BAC, PACE, AA, CA) with one chip answer mutated in transit: each a reason, none crashes', async (ctx) => {
  const rnd = prng(SEED);
  const kinds: PassportKind[] = ['valid', 'valid', 'valid-ca', 'valid-aa', 'valid-pace'];
  let changed = 0;
  let acceptedChanged = 0;
  for (let i = 0; i < 1000; i++) {
    const kind = kinds[i % kinds.length]!;
    // Answers 0–2 read EF.CardAccess before any authentication: a change there only makes
    // the terminal fall back to BAC (tested elsewhere), so mutations start at the SELECT.
    const target = 3 + Math.floor(rnd() * 23);
    let differs = false;
    const r = await readWith(ctx, ctx.images.get(kind)!, (n, a) => {
      if (n !== target) return a;
      const m = mutate(a, rnd);
      differs = !Buffer.from(a).equals(m);
      return m;
    });
    checkResult(r, `read ${i} (${kind}, answer ${target})`);
    if (differs) changed++;
    if (differs && r.ok) acceptedChanged++;
  }
  // A changed answer passes only where the change carries no meaning (a plain 9000 rewritten as 9000…).
  assert.ok(changed > 900 && acceptedChanged < changed / 50, `${acceptedChanged} of ${changed} changed answers accepted`);
});

t('5,000 mutated secure-messaging answers: SM_ERROR or a verified answer, nothing else', () => {
  const rnd = prng(SEED + 1);
  const key = Buffer.alloc(16, 7);
  let survived = 0;
  for (let i = 0; i < 5000; i++) {
    const suite = i % 2 ? '3DES' : 'AES-128';
    const chipSide = new SmSession(suite, key, key);
    const terminal = new SmSession(suite, key, key);
    // A genuine protected answer, then the mutation.
    const genuine = sealResponse(chipSide, 0xb0, Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, (_, k) => k)), 0x9000);
    const raw = mutate(genuine, rnd);
    try {
      unprotectResponse(terminal, raw);
      survived++;
    } catch (e) {
      assert.instance(e, PassportError);
      assert.is((e as PassportError).code, 'SM_ERROR');
    }
  }
  // Only mutations outside the MAC's reach (the trailing SW, appended bytes) may pass.
  assert.ok(survived < 1500, `${survived} mutated answers accepted`);
});

t('2,000 mutated LDS files through their parsers, Passive Authentication and the face decoder: typed errors only', async (ctx) => {
  const rnd = prng(SEED + 2);
  const img = ctx.images.get('valid')!;
  const files = { com: img.files.get(0x011e)!, dg1: img.files.get(0x0101)!, dg2: img.files.get(0x0102)!, sod: img.files.get(0x011d)!, ca: ctx.images.get('valid-pace')!.cardAccess! };
  for (let i = 0; i < 2000; i++) {
    const which = i % 5;
    const src = [files.com, files.dg1, files.dg2, files.sod, files.ca][which]!;
    const m = mutate(src, rnd);
    try {
      if (which === 0) parseEfCom(m);
      else if (which === 1) parseDg1(m);
      else if (which === 2) await decodeFace(parseDg2(m));
      else if (which === 3)
        passiveAuthentication({ efSod: m, dataGroups: new Map([[1, files.dg1], [2, files.dg2]]), comGroups: [1, 2], dg1Mrz: img.mrz, opticalMrz: img.mrz, trust: ctx.trust, now: new Date() });
      else parseCardAccess(m);
    } catch (e) {
      assert.instance(e, Error, `file ${which} mutation ${i}`);
      if (which === 2 || which === 3) assert.instance(e, PassportError, `file ${which} mutation ${i}: ${(e as Error).message}`);
    }
  }
});

t('1,000 reads of a chip whose files are mutated but served under valid secure messaging', async (ctx) => {
  const rnd = prng(SEED + 3);
  const base = ctx.images.get('valid')!;
  const fids = [...base.files.keys()];
  for (let i = 0; i < 1000; i++) {
    const fid = fids[i % fids.length]!;
    const files = new Map(base.files);
    files.set(fid, mutate(base.files.get(fid)!, rnd));
    const r = await readWith(ctx, { ...base, files });
    checkResult(r, `file ${fid.toString(16)} mutation ${i}`);
  }
});

t('1,000 malformed MRZ inputs: MRZ_INVALID each (or a valid MRZ when the mutation kept every check digit)', () => {
  const rnd = prng(SEED + 4);
  const good = makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515' });
  const inputs: unknown[] = [null, undefined, 42, {}, [], [''], ['a', 'b', 'c'], '\u0000'.repeat(88), 'P'.repeat(10000)];
  for (let i = inputs.length; i < 1000; i++) {
    const joined = Buffer.from(good.join('\n'), 'latin1');
    inputs.push(i % 3 === 0 ? Buffer.from(Array.from({ length: Math.floor(rnd() * 100) }, () => Math.floor(rnd() * 256))).toString('latin1') : mutate(joined, rnd).toString('latin1'));
  }
  let invalid = 0;
  for (const input of inputs) {
    try {
      parseTd3(input as string);
    } catch (e) {
      assert.instance(e, PassportError);
      assert.is((e as PassportError).code, 'MRZ_INVALID');
      assert.not.ok((e as Error).message.includes('UT1234567'), 'no document number in messages');
      invalid++;
    }
  }
  assert.ok(invalid > 950, `${invalid} invalid`);
});

t.run();
