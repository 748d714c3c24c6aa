import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bytesToTemplate } from '../enrolment/sealed.ts';
import { EgateError, errorCode } from '../errors.ts';
import { RevocationList, revocationListSchema } from '../tokens/revocation-list.ts';
import { readJson, TrustList } from '../tokens/trust-list.ts';
import { VisaRevocationList, visaRevocationSchema } from '../visa/revocations.ts';
import { allowedUpdatePath } from '../update/allowed.ts';
import type { Command } from './command-schema.ts';
import type { SyncHost } from './types.ts';

type JournalType = 'maintenance_action' | 'config_changed' | 'keys_changed';

/** What a command did: its result code and the journal event that accounts for it (no traveller data). */
export interface Applied {
  ok: boolean;
  error?: string;
  journal: { type: JournalType; data: Record<string, unknown> };
}

/** Most subjects named one by one in a journal event; a bigger batch is journalled by count. */
const MAX_SUBJECTS_JOURNALLED = 50;

/** Writes the file whole or not at all (temp file + rename), so a restart loads the list in force. */
function writeAtomic(path: string, json: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(json, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, path);
}

/** The seat's token lists, or a refusal for a kiosk that verifies no credential (it keeps no list to replace). */
function heldTokens(host: SyncHost): NonNullable<SyncHost['tokens']> {
  if (!host.tokens) throw new EgateError('TOKENS_NOT_HELD', `profile ${host.config.profile} keeps no token lists`);
  return host.tokens;
}

function failure(err: unknown): { ok: false; error: string } {
  return { ok: false, error: errorCode(err) };
}

/**
 * Carries out a verified command on the gate. Lists are checked whole before anything
 * changes, written to their configured file, then swapped in memory; enrolments change in
 * one store transaction. The journal event names subjects only by pseudonym.
 */
export function applyCommand(host: SyncHost, cmd: Command): Applied {
  const base = { command: cmd.id, by: 'central' };
  switch (cmd.type) {
    case 'set_mode': {
      const r = host.setMode(cmd.args.mode, 'central');
      const res = r.ok ? { ok: true } : { ok: false, error: r.code };
      return { ...res, journal: { type: 'maintenance_action', data: { action: 'central_set_mode', ...base, mode: cmd.args.mode, ...res } } };
    }
    case 'replace_trust_list': {
      let res: { ok: boolean; error?: string } = { ok: true };
      try {
        const tokens = heldTokens(host);
        new TrustList(cmd.args.trustList as never); // throws TRUST_LIST_INVALID before anything changes
        writeAtomic(host.config.tokens.trustListPath, cmd.args.trustList);
        tokens.trustList.replace(cmd.args.trustList);
      } catch (err) {
        res = failure(err);
      }
      const keys = Object.keys(cmd.args.trustList).length;
      return { ...res, journal: { type: 'keys_changed', data: { action: 'central_trust_list', ...base, keys, ...res } } };
    }
    case 'revoke': {
      let res: { ok: boolean; error?: string } = { ok: true };
      let entries = 0;
      try {
        const tokens = heldTokens(host);
        const path = host.config.tokens.revocationListPath;
        const current = cmd.args.mode === 'extend' ? revocationListSchema.parse(readJson(path, 'REVOCATION_LIST_INVALID', 'revocation list')) : { cti: [], sub: [] };
        const next = { cti: [...new Set([...current.cti, ...cmd.args.cti])], sub: [...new Set([...current.sub, ...cmd.args.sub])] };
        entries = new RevocationList(next).size;
        writeAtomic(path, next);
        tokens.revocations.replace(next);
      } catch (err) {
        res = failure(err);
      }
      const data = { action: 'central_revocations', ...base, mode: cmd.args.mode, added: cmd.args.cti.length + cmd.args.sub.length, entries, ...res };
      return { ...res, journal: { type: 'keys_changed', data } };
    }
    case 'revoke_visas': {
      // The Express lane's visa verifier re-reads this file when it changes (kiosk/visa/revocations.ts).
      let res: { ok: boolean; error?: string } = { ok: true };
      let entries = 0;
      try {
        const path = host.config.visa.revocationListPath;
        const current = cmd.args.mode === 'extend' && existsSync(path) ? visaRevocationSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) : { visas: [] };
        const next = { visas: [...new Set([...current.visas, ...cmd.args.visas])] };
        entries = new VisaRevocationList(next).size;
        mkdirSync(dirname(path), { recursive: true });
        writeAtomic(path, next);
      } catch (err) {
        res = failure(err);
      }
      const data = { action: 'central_visa_revocations', ...base, mode: cmd.args.mode, added: cmd.args.visas.length, entries, ...res };
      return { ...res, journal: { type: 'keys_changed', data } };
    }
    case 'allow_update': {
      // Read by the update launcher (kiosk/update/allowed.ts) before it installs a staged release.
      let res: { ok: boolean; error?: string } = { ok: true };
      try {
        const path = allowedUpdatePath(host.config.dataDir);
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeAtomic(path, { targetsVersion: cmd.args.targetsVersion, release: cmd.args.release, command: cmd.id });
      } catch (err) {
        res = failure(err);
      }
      return { ...res, journal: { type: 'config_changed', data: { action: 'central_allow_update', ...base, release: cmd.args.release, targets_version: cmd.args.targetsVersion, ...res } } };
    }
    case 'upsert_enrolments':
    case 'delete_enrolments': {
      const subs = cmd.type === 'upsert_enrolments' ? cmd.args.references.map((r) => r.sub) : cmd.args.subs;
      let res: { ok: boolean; error?: string } = { ok: true };
      let changed = 0;
      try {
        host.references.transaction(() => {
          if (cmd.type === 'upsert_enrolments') {
            for (const r of cmd.args.references) {
              const template = bytesToTemplate(Buffer.from(r.template, 'base64'));
              host.references.upsert(r.sub, template, { source: 'central', quality: (r.quality ?? null) as never });
              changed++;
            }
          } else for (const s of cmd.args.subs) if (host.references.remove(s)) changed++;
        });
      } catch (err) {
        res = failure(err);
        changed = 0;
      }
      const j = host.journalStore;
      const subjects = subs.length <= MAX_SUBJECTS_JOURNALLED ? subs.map((s) => j.pseudonym(s)) : undefined;
      const action = cmd.type === 'upsert_enrolments' ? 'central_enrolment_upsert' : 'central_enrolment_delete';
      const data = { action, ...base, count: subs.length, changed, ...(subjects ? { subjects } : {}), ...res };
      return { ...res, journal: { type: 'config_changed', data } };
    }
  }
}
