import type { Pool } from '../db/pool.ts';
import { REFERRED } from '../ingest/rollups.ts';

/** What the console shows, read in one go: lanes, open alarms, referrals, hourly throughput, commands. */
export interface ConsoleState {
  lanes: Lane[];
  alarms: AlarmView[];
  referrals: Referral[];
  hourly: Hourly[];
  commands: CommandView[];
}

export interface Lane {
  gate: string;
  site: string;
  /** The gate's kind from its status (pedestrian, vehicle, express, a kiosk profile); null until its first status. */
  profile: string | null;
  /** The release the gate runs (its status; issue 18's rollouts move it); null until its first status. */
  version: string | null;
  online: boolean;
  mode: string | null;
  healthy: boolean;
  faults: string[];
  last_seq: number | null;
  unsent: number | null;
  head_seq: number | null;
  open_alarms: number;
  /** Newest trust-list and mode command versions this gate confirmed applied. */
  trust_version: number | null;
  seen_at: string;
}

export interface AlarmView {
  id: number;
  gate: string;
  site: string;
  kind: string;
  code: string;
  raised_at: string;
  cleared_at: string | null;
  acked_by: string | null;
  notes: { by: string; at: string; text: string }[];
}

export interface Referral {
  gate: string;
  ts: string;
  crossing: string;
  outcome: string;
  reason: string | null;
  subject: string | null;
}

export interface Hourly {
  gate: string;
  hour: string;
  crossings: number;
  cycle_ms: number | null;
}

export interface CommandView {
  id: string;
  version: number;
  type: string;
  target: string;
  state: string;
  widening: boolean;
  requested_by: string;
  approved_by: string | null;
  gates: number;
  applied: number;
  refused: number;
}

export async function readState(pool: Pool, hours = 12): Promise<ConsoleState> {
  const [lanes, alarms, referrals, hourly, commands] = await Promise.all([
    pool.query<Lane & { devices: Record<string, { healthy: boolean; code?: string }> | null }>(
      `SELECT g.gate, g.site, g.profile, g.version, g.online, g.mode, g.devices, g.last_seq, g.unsent, c.head_seq, g.seen_at,
         (SELECT count(*)::int FROM alarms a WHERE a.gate = g.gate AND a.acked_at IS NULL) AS open_alarms,
         (SELECT max(m.version) FROM commands m JOIN command_results r ON r.command_id = m.id AND r.gate = g.gate AND r.ok WHERE m.type = 'replace_trust_list') AS trust_version
       FROM gates g LEFT JOIN gate_chain c ON c.gate = g.gate ORDER BY g.site, g.gate`,
    ),
    pool.query<AlarmView>(
      `SELECT id, gate, site, kind, code, raised_at, cleared_at, acked_by, notes FROM alarms
       WHERE acked_at IS NULL OR raised_at > now() - interval '1 hour' ORDER BY acked_at IS NOT NULL, raised_at DESC LIMIT 200`,
    ),
    pool.query<Referral>(
      `SELECT gate, ts, crossing, outcome, reason, subject FROM referrals
       WHERE ts > now() - interval '8 hours' AND outcome = ANY($1) ORDER BY ts DESC LIMIT 100`,
      [REFERRED],
    ),
    pool.query<Hourly>(
      `SELECT gate, hour, crossings, CASE WHEN cycle_n > 0 THEN round(cycle_ms_sum::numeric / cycle_n)::int END AS cycle_ms
       FROM lane_hours WHERE hour >= date_trunc('hour', now() - make_interval(hours => $1)) ORDER BY 1, 2`,
      [hours],
    ),
    pool.query<CommandView>(
      `SELECT m.id, m.version, m.type, m.target, m.state, m.widening, m.requested_by, m.approved_by, cardinality(m.gates) AS gates,
         (SELECT count(*)::int FROM command_results r WHERE r.command_id = m.id AND r.ok) AS applied,
         (SELECT count(*)::int FROM command_results r WHERE r.command_id = m.id AND NOT r.ok) AS refused
       FROM commands m ORDER BY m.version DESC LIMIT 50`,
    ),
  ]);
  return {
    lanes: lanes.rows.map(({ devices, ...l }) => {
      const faults = Object.entries(devices ?? {}).filter(([, d]) => !d.healthy).map(([n, d]) => `${n}${d.code ? `:${d.code}` : ''}`);
      return { ...l, healthy: faults.length === 0, faults };
    }),
    alarms: alarms.rows,
    referrals: referrals.rows,
    hourly: hourly.rows,
    commands: commands.rows,
  };
}
