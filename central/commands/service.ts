import { randomBytes } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { commandSchema, SECRET_COMMAND_TYPES, type CommandType } from '../../kiosk/sync/index.ts';
import { sealCommandWith, signCommandWith, type CommandSigner } from './signer.ts';
import { syncTopics } from '../../kiosk/sync/topics.ts';
import { audit, type Actor } from '../db/audit.ts';
import { inTransaction, NOTIFY_CHANNEL, type Pool } from '../db/pool.ts';
import { CentralError } from '../errors.ts';

export interface CommandRequest {
  type: CommandType;
  /** A gate id, a configured group name, or "*" for every gate the centre knows. */
  target: string;
  args: Record<string, unknown>;
}

export interface CommandDeps {
  pool: Pool;
  /** The central command key, in a file or on a token (signer.ts). */
  signer: CommandSigner;
  groups: Record<string, string[]>;
  instance: string;
  publish(topic: string, payload: Buffer): Promise<void>;
  now?: () => number;
}

/**
 * Changes that widen who may cross need a second supervisor: a new trust list (new issuer
 * keys), a revocation list replaced (entries may disappear), enrolments added.
 */
export function widens(type: CommandType, args: Record<string, unknown>): boolean {
  return type === 'replace_trust_list' || type === 'upsert_enrolments' || (type === 'revoke' && args.mode === 'replace');
}

const MAY_REQUEST: Record<string, CommandType[]> = {
  // allow_update: staged rollouts (central/rollout-service.ts) send it for the supervisor who started them
  supervisor: ['set_mode', 'replace_trust_list', 'revoke', 'upsert_enrolments', 'delete_enrolments', 'allow_update'],
  technician: ['set_mode'],
  officer: [],
};

/**
 * Central commands: requested in the console or the CLI, approved by a second supervisor
 * when they widen access, then signed with the central key once per target gate (the
 * gate's own id in the signed payload, so a command cannot be replayed to another gate)
 * and published on each gate's `cmd` topic. Every step is audited; gates' answers come
 * back through ingest into command_results.
 */
export class CommandService {
  readonly #d: CommandDeps;

  constructor(deps: CommandDeps) {
    this.#d = deps;
  }

  async request(actor: Actor, req: CommandRequest): Promise<{ id: string; state: string }> {
    if (!(MAY_REQUEST[actor.role] ?? []).includes(req.type)) throw new CentralError('CENTRAL_FORBIDDEN', `a ${actor.role} may not issue ${req.type}`);
    const id = `c-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    // the gate's own schema decides what is well formed, before anything is stored
    const probe = commandSchema.safeParse({ id, iat: 0, gate: '*', type: req.type, args: req.args });
    if (!probe.success) throw new CentralError('CENTRAL_BAD_REQUEST', `command invalid: ${probe.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; ')}`);
    const gates = await this.#resolve(req.target);
    if (gates.length === 0) throw new CentralError('CENTRAL_NOT_FOUND', `no gate matches ${req.target}`);
    const widening = widens(req.type, probe.data.args as Record<string, unknown>);
    const state = widening ? 'awaiting_approval' : 'approved';
    await inTransaction(this.#d.pool, async (c) => {
      await c.query('INSERT INTO commands (id, type, target, gates, args, widening, state, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        id,
        req.type,
        req.target,
        gates,
        JSON.stringify(probe.data.args),
        widening,
        state,
        actor.user,
      ]);
      await audit(c, this.#d.instance, actor, 'command_requested', { id, type: req.type, target: req.target, gates: gates.length, widening });
      await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'command', id })]);
    });
    if (!widening) await this.#publish(actor, id);
    return { id, state: widening ? state : 'published' };
  }

  /** A second supervisor approves a widening command; it is then signed and published. */
  async approve(actor: Actor, id: string): Promise<void> {
    if (actor.role !== 'supervisor') throw new CentralError('CENTRAL_FORBIDDEN', 'only a supervisor approves');
    await inTransaction(this.#d.pool, async (c) => {
      const r = await c.query<{ state: string; requested_by: string }>('SELECT state, requested_by FROM commands WHERE id = $1 FOR UPDATE', [id]);
      const cmd = r.rows[0];
      if (!cmd) throw new CentralError('CENTRAL_NOT_FOUND', `no command ${id}`);
      if (cmd.state !== 'awaiting_approval') throw new CentralError('CENTRAL_APPROVAL', `command ${id} is ${cmd.state}`);
      if (cmd.requested_by === actor.user) throw new CentralError('CENTRAL_APPROVAL', 'a second supervisor must approve (not the one who asked)');
      await c.query("UPDATE commands SET state = 'approved', approved_by = $2, approved_at = now() WHERE id = $1", [id, actor.user]);
      await audit(c, this.#d.instance, actor, 'command_approved', { id });
    });
    await this.#publish(actor, id);
  }

  async #publish(actor: Actor, id: string): Promise<void> {
    const r = await this.#d.pool.query<{ type: CommandType; args: Record<string, unknown>; gates: string[] }>('SELECT type, args, gates FROM commands WHERE id = $1', [id]);
    const cmd = r.rows[0]!;
    const sites = await this.#d.pool.query<{ gate: string; site: string }>('SELECT gate, site FROM gates WHERE gate = ANY($1)', [cmd.gates]);
    const iat = Math.floor((this.#d.now?.() ?? Date.now()) / 1000);
    let sent = 0;
    const sealed = SECRET_COMMAND_TYPES.has(cmd.type);
    const gateKeys = new Map<string, string>();
    if (sealed) {
      const k = await this.#d.pool.query<{ gate: string; pem: string }>("SELECT gate, pem FROM gate_keys WHERE kid = 'command' AND gate = ANY($1)", [cmd.gates]);
      for (const r of k.rows) gateKeys.set(r.gate, r.pem);
    }
    for (const { gate, site } of sites.rows) {
      const body = { id, iat, gate, type: cmd.type, args: cmd.args } as never;
      const pem = gateKeys.get(gate);
      if (sealed && !pem) {
        // revocations and enrolments travel only encrypted to the gate's own key (kiosk/sync/command-seal.ts)
        await this.#d.pool.query("INSERT INTO command_results (command_id, gate, ok, error) VALUES ($1, $2, false, 'CENTRAL_NO_GATE_KEY') ON CONFLICT DO NOTHING", [id, gate]);
        continue;
      }
      const bytes = sealed ? sealCommandWith(this.#d.signer, createPublicKey(pem!), body) : signCommandWith(this.#d.signer, body);
      await this.#d.publish(syncTopics(site, gate).cmd, Buffer.from(bytes));
      sent++;
    }
    await this.#d.pool.query("UPDATE commands SET state = 'published', published_at = now() WHERE id = $1", [id]);
    // Issue 17: no template is kept centrally. A restore's template waits here only for the
    // second supervisor; once sealed to the gates it is dropped, the subject references stay.
    if (cmd.type === 'upsert_enrolments')
      await this.#d.pool.query("UPDATE commands SET args = jsonb_build_object('references', (SELECT jsonb_agg(r - 'template') FROM jsonb_array_elements(args->'references') r)) WHERE id = $1", [id]);
    await audit(this.#d.pool, this.#d.instance, actor, 'command_published', { id, gates: sent });
    await this.#d.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'command', id })]);
  }

  async #resolve(target: string): Promise<string[]> {
    if (target === '*') return (await this.#d.pool.query<{ gate: string }>('SELECT gate FROM gates ORDER BY gate')).rows.map((r) => r.gate);
    const group = this.#d.groups[target];
    if (group) return [...group];
    const r = await this.#d.pool.query<{ gate: string }>('SELECT gate FROM gates WHERE gate = $1 OR site = $1 ORDER BY gate', [target]);
    return r.rows.map((x) => x.gate);
  }
}
