import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import type { CardRead, CardReader } from '../../../drivers/card/interface.ts';
import type { EgateError } from '../../../core/errors.ts';
import { checkSmartIdCard, type SmartIdResult } from '../../../kiosk/card/smart-id-check.ts';
import { CARD_KINDS, type CardKind } from '../../../kiosk/card/test-cards.ts';
import type { TokenVerifier } from '../../../kiosk/tokens/verifier.ts';

/**
 * One contract for both smart identity card readers (PC/SC with the emulated card, and the
 * simulated twin): every make-card kind gets its reason through the reader, and a card
 * pulled mid-read or during chip authentication is CARD_UNREADABLE, never a crash or a hang.
 */
export interface CardHarness {
  reader: CardReader;
  verifier: Pick<TokenVerifier, 'verify'>;
  cards: Map<CardKind, string>;
  /** Lays the card of `dir` on the reader; `pullAfter`: it leaves after that many APDUs. */
  present(dir: string, pullAfter?: number): Promise<void>;
  /** Takes the card away and resolves once the reader has reported it gone. */
  remove(): Promise<void>;
  /** Timings collected for the report (ms). */
  timings: { kind: string; readMs: number; authMs: number }[];
}

/** Waits for the reader's answer to a presentation: 'card' or 'error'; a hang fails at `ms`. */
export function nextRead(reader: CardReader, ms = 60_000): Promise<CardRead | EgateError> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (v: CardRead | EgateError) => {
      clearTimeout(timer);
      offs.forEach((o) => o());
      resolve(v);
    };
    const timer = setTimeout(() => {
      offs.forEach((o) => o());
      reject(new Error('the reader neither delivered the card nor reported an error'));
    }, ms);
    offs.push(reader.on('card', done), reader.on('error', done));
  });
}

const reasonOf = (r: SmartIdResult): string => (r.ok ? 'OK' : r.reason);

async function readAndCheck(h: CardHarness, kind: string, dir: string, pullAfter?: number): Promise<{ reason: string; read: CardRead | EgateError }> {
  const answer = nextRead(h.reader);
  answer.catch(() => {}); // awaited below; a failed present() must not leave it unhandled
  await h.present(dir, pullAfter);
  const read = await answer;
  if (!('credential' in read)) return { reason: read.code, read };
  const auth = read.smartId!.authenticate;
  let authMs = 0;
  const r = await checkSmartIdCard({
    files: read.smartId!.files,
    authenticate: async (c) => {
      const a = performance.now();
      try {
        return await auth(c);
      } finally {
        authMs = performance.now() - a;
      }
    },
    gateId: 'LWP-E07',
    verifier: h.verifier,
  });
  h.timings.push({ kind, readMs: read.smartId!.readMs, authMs });
  return { reason: reasonOf(r), read };
}

export function cardContract(t: Test<CardHarness>): void {
  for (const kind of Object.keys(CARD_KINDS) as CardKind[]) {
    t(`card ${kind} → ${CARD_KINDS[kind]}`, async (h) => {
      try {
        const { reason, read } = await readAndCheck(h, kind, h.cards.get(kind)!);
        assert.is(reason, CARD_KINDS[kind], kind);
        if (kind === 'valid' && 'credential' in read) {
          assert.ok(read.smartId!.files.photo.length > 1000, 'the whole photo was read');
          assert.ok(h.reader.hasCard);
        }
      } finally {
        await h.remove();
      }
      assert.not.ok(h.reader.hasCard);
    });
  }

  t('the card pulled mid-read (in EF.PHOTO) is an error CARD_UNREADABLE, and the reader reads the next card', async (h) => {
    const answer = nextRead(h.reader);
    answer.catch(() => {});
    await h.present(h.cards.get('valid')!, 6);
    const r = await answer;
    assert.is('credential' in r ? 'card' : r.code, 'CARD_UNREADABLE');
    await h.remove();
    const again = await readAndCheck(h, 'valid-after-pull', h.cards.get('valid')!);
    assert.is(again.reason, 'OK');
    await h.remove();
  });

  t('the card pulled before INTERNAL AUTHENTICATE: check gives CARD_UNREADABLE', async (h) => {
    const answer = nextRead(h.reader);
    answer.catch(() => {});
    await h.present(h.cards.get('valid')!);
    const read = await answer;
    assert.ok('credential' in read);
    await h.remove();
    const r = await checkSmartIdCard({ files: read.smartId!.files, authenticate: read.smartId!.authenticate, gateId: 'LWP-E07', verifier: h.verifier });
    assert.is(reasonOf(r), 'CARD_UNREADABLE');
  });
}
