import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { parseConfig } from '../../config/load.ts';
import { enrolFromPhoto, EnrolmentError } from '../enrolment/index.ts';
import { ConfigError, EgateError } from '../errors.ts';
import type { VerifyResult } from '../journal/index.ts';
import { redactUrl } from '../sync/redact.ts';
import { readJson } from '../tokens/trust-list.ts';
import { parseArgs, type Handler } from './command-types.ts';
import { CliError } from './errors.ts';
import type { SeatControl } from '../control-types.ts';

/** The seat's token stores; a kiosk that verifies no credential keeps none (config/profile-needs.ts). */
function heldTokens(control: SeatControl): NonNullable<SeatControl['tokens']> {
  if (!control.tokens) throw new CliError('TOKENS_NOT_HELD', `profile ${control.config.profile} keeps no token lists`);
  return control.tokens;
}

const PAGE = 500;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const VERIFY_WORKER = new URL('./verify-worker.mjs', import.meta.url);

/** Runs verifyJournal on a read-only connection in a worker thread. */
function verifyOffThread(path: string): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(VERIFY_WORKER, { workerData: { path } });
    w.once('message', (m: { ok: boolean; result?: VerifyResult; code?: string; message?: string }) => {
      void w.terminate();
      if (m.ok && m.result) resolve(m.result);
      else reject(new EgateError(m.code ?? 'INTERNAL', m.message ?? 'journal verification failed'));
    });
    w.once('error', (err) => reject(new EgateError('INTERNAL', `journal verification failed: ${err.message}`)));
  });
}

export const storeCommands: Record<string, Handler> = {
  async 'journal.tail'(args, ctx) {
    const a = parseArgs(z.object({ n: z.number().int().min(1).max(PAGE).default(20), after: z.number().int().min(0).optional() }), args);
    const j = ctx.control.journalStore;
    // `after`: the next page of `journal tail -f`. Only the first request of a follow is
    // journalled; one entry per poll would fill the journal with the technician reading it.
    if (a.after !== undefined) return { result: { events: j.readAfter(a.after, a.n), lastSeq: j.lastSeq() }, journalled: true };
    const events = j.readAfter(Math.max(0, j.lastSeq() - a.n), a.n);
    return { result: { events, lastSeq: j.lastSeq() }, journal: { n: events.length } };
  },

  async 'journal.verify'(_args, ctx) {
    const r = await verifyOffThread(ctx.control.config.journal.path);
    return { result: r, journal: { ok: r.ok, events: r.events, ...(r.firstBad ? { first_bad_seq: r.firstBad.seq } : {}) } };
  },

  async 'journal.export'(args, ctx) {
    const j = ctx.control.journalStore;
    const a = parseArgs(z.object({ from: z.number().int().min(1).default(1), to: z.number().int().min(1).optional() }), args);
    const to = Math.min(a.to ?? j.lastSeq(), j.lastSeq());
    if (to < a.from) throw new CliError('BAD_REQUEST', `empty range: seq ${a.from}..${to} (the journal ends at ${j.lastSeq()})`);
    let after = a.from - 1;
    let count = 0;
    let first: number | undefined;
    // Pages, each sent before the next is read, so a slow client never makes the gate hold the range.
    while (after < to) {
      const page = j.readAfter(after, Math.min(PAGE, to - after));
      if (page.length === 0) break;
      first ??= page[0]!.seq;
      await ctx.send({ events: page });
      count += page.length;
      after = page[page.length - 1]!.seq;
    }
    return { result: { from: first ?? a.from, to: after, count }, journal: { from: first ?? a.from, to: after, count } };
  },

  async 'enrol.add'(args, ctx) {
    const a = parseArgs(z.object({ sub: z.string().min(1).max(128), photo: z.string().min(1).max(Math.ceil(MAX_PHOTO_BYTES / 3) * 4) }), args);
    const photo = new Uint8Array(Buffer.from(a.photo, 'base64'));
    const subject = ctx.control.journalStore.pseudonym(a.sub);
    try {
      const r = await enrolFromPhoto(ctx.control.references, ctx.control.engine, a.sub, photo);
      return { result: { replaced: r.replaced, issues: r.issues, quality: r.quality }, journal: { subject, replaced: r.replaced } };
    } catch (err) {
      if (err instanceof EnrolmentError && err.issues.length) throw new CliError(err.code, `${err.message}`);
      throw err;
    }
  },

  async 'enrol.list'(_args, ctx) {
    const refs = ctx.control.references.list().map((r) => ({ sub: r.sub, source: r.source, enrolledAt: r.enrolledAt, updatedAt: r.updatedAt }));
    return { result: { references: refs }, journal: { count: refs.length } };
  },

  async 'enrol.remove'(args, ctx) {
    const a = parseArgs(z.object({ sub: z.string().min(1).max(128) }), args);
    const subject = ctx.control.journalStore.pseudonym(a.sub);
    if (!ctx.control.references.remove(a.sub)) throw new CliError('NOT_ENROLLED', 'no reference stored for that sub');
    return { result: { removed: true }, journal: { subject } };
  },

  async 'keys.list'(_args, ctx) {
    const t = heldTokens(ctx.control);
    return { result: { fleetKeys: t.fleetKeys.kids(), trustListKeys: t.trustList.size, revocations: t.revocations.size } };
  },

  async 'keys.reload'(_args, ctx) {
    const cfg = ctx.control.config.tokens;
    const t = heldTokens(ctx.control);
    // Read both lists before swapping anything, so a broken file leaves every store as it was.
    const trust = readJson(cfg.trustListPath, 'TRUST_LIST_INVALID', 'trust list');
    const revoked = readJson(cfg.revocationListPath, 'REVOCATION_LIST_INVALID', 'revocation list');
    t.fleetKeys.reload(cfg.fleetKeysDir);
    t.trustList.replace(trust);
    t.revocations.replace(revoked);
    const counts = { fleet_keys: t.fleetKeys.kids().length, trust_list: t.trustList.size, revocations: t.revocations.size };
    ctx.control.journal('keys_changed', { source: 'technician', by: ctx.technician, ...counts });
    return { result: { fleetKeys: t.fleetKeys.kids(), trustListKeys: t.trustList.size, revocations: t.revocations.size }, journal: counts };
  },

  async 'config.show'(_args, ctx) {
    const cfg = ctx.control.config;
    // the broker password in sync.url never leaves the gate process
    return { result: { ...cfg, sync: { ...cfg.sync, url: redactUrl(cfg.sync.url) } } };
  },

  async 'config.validate'(args) {
    const a = parseArgs(z.object({ text: z.string().max(1024 * 1024) }), args);
    let raw: unknown;
    try {
      raw = JSON.parse(a.text);
    } catch (err) {
      return { result: { valid: false, issues: [{ path: '', message: `not JSON: ${(err as Error).message}` }] }, journal: { valid: false } };
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { result: { valid: false, issues: [{ path: '', message: 'top level is not an object' }] }, journal: { valid: false } };
    }
    try {
      parseConfig(raw as Record<string, unknown>);
      return { result: { valid: true, issues: [] }, journal: { valid: true } };
    } catch (err) {
      if (err instanceof ConfigError) return { result: { valid: false, issues: err.issues }, journal: { valid: false, issues: err.issues.length } };
      throw err;
    }
  },
};
