import type { Pool, PoolClient } from './pool.ts';

export interface Actor {
  user: string;
  role: string;
}

/** One audit row per officer action (login, acknowledge, note, command, approval) — never traveller data. */
export async function audit(db: Pool | PoolClient, instance: string, actor: Actor, action: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.query('INSERT INTO audit (actor, role, action, detail, instance) VALUES ($1, $2, $3, $4, $5)', [actor.user, actor.role, action, JSON.stringify(detail), instance]);
}
