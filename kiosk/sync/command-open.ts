import type { KeyObject } from 'node:crypto';
import { parseSign1, verifySign1, type Sign1 } from '../tokens/cose-sign1.ts';
import { COMMAND_ID, COMMAND_TYPES, commandSchema, type Command } from './command-schema.ts';
import { isSealed, SECRET_COMMAND_TYPES, unsealPayload } from './command-seal.ts';

export type Opened = { ok: true; command: Command } | { ok: false; code: string; detail: string; id?: string };

export interface OpenOptions {
  /** The central key (P-256); undefined when the gate has none, and then nothing is accepted. */
  key: KeyObject | undefined;
  /** This gate's command key pair: decrypts sealed commands (command-seal.ts). */
  gateKey?: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
  gate: string;
  nowMs: number;
  windowS: number;
  maxBytes: number;
}

/** The id of a refused command, if it has a well-formed one (read from unverified bytes). */
function idOf(bytes: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as { id?: unknown };
    return typeof v?.id === 'string' && COMMAND_ID.test(v.id) ? v.id : undefined;
  } catch {
    return undefined;
  }
}

function refuse(code: string, detail: string, id: string | undefined): Opened {
  return id === undefined ? { ok: false, code, detail } : { ok: false, code, detail, id };
}

/**
 * Checks a central command in the order that trusts the least first: size, COSE_Sign1
 * structure (ES256, protected header `{1: -7}` only), signature by the central key, then
 * the payload's shape, the target gate and freshness. Replay is the ledger's job. Nothing
 * here throws: every refusal is a code (CMD_TOO_LARGE, CMD_UNSIGNED, CMD_NO_CENTRAL_KEY,
 * CMD_BAD_SIGNATURE, CMD_NO_GATE_KEY, CMD_WRONG_RECIPIENT, CMD_DECRYPT_FAILED, CMD_MALFORMED,
 * CMD_UNSUPPORTED, CMD_NOT_ENCRYPTED, CMD_WRONG_GATE, CMD_STALE). A sealed payload is
 * decrypted only after the central signature over it verified.
 */
export function openCommand(bytes: Uint8Array, o: OpenOptions): Opened {
  if (bytes.length > o.maxBytes) return refuse('CMD_TOO_LARGE', `command of ${bytes.length} bytes exceeds ${o.maxBytes}`, undefined);
  let sign1: Sign1;
  try {
    sign1 = parseSign1(bytes, 'command', false);
  } catch {
    return refuse('CMD_UNSIGNED', 'not a COSE_Sign1 (ES256) message', idOf(bytes));
  }
  if (!o.key) return refuse('CMD_NO_CENTRAL_KEY', 'this gate has no central key', idOf(sign1.payload));
  if (!verifySign1(sign1, o.key)) return refuse('CMD_BAD_SIGNATURE', 'signature does not verify with the central key', idOf(sign1.payload));
  const sealed = isSealed(sign1.payload);
  let body = sign1.payload;
  if (sealed) {
    const u = unsealPayload(sign1.payload, o.gateKey);
    if (!u.ok) return refuse(u.code, u.detail, undefined);
    body = u.plaintext;
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return refuse('CMD_MALFORMED', 'signed payload is not JSON', undefined);
  }
  const id = idOf(body);
  const type = (json as { type?: unknown } | null)?.type;
  if (!(COMMAND_TYPES as readonly unknown[]).includes(type)) return refuse('CMD_UNSUPPORTED', 'unknown command type', id);
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).slice(0, 5).join('; ');
    return refuse('CMD_MALFORMED', where, id);
  }
  const cmd = parsed.data;
  // templates and identity numbers must never have crossed the broker readable
  if (SECRET_COMMAND_TYPES.has(cmd.type) && !sealed) return refuse('CMD_NOT_ENCRYPTED', `${cmd.type} must be encrypted to this gate's key`, cmd.id);
  if (cmd.gate !== o.gate && cmd.gate !== '*') return refuse('CMD_WRONG_GATE', 'command is for another gate', cmd.id);
  if (Math.abs(o.nowMs - cmd.iat * 1000) > o.windowS * 1000) return refuse('CMD_STALE', `iat outside ±${o.windowS} s of the gate clock`, cmd.id);
  return { ok: true, command: cmd };
}
