import type { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { SeatControl } from '../control-types.ts';
import { CliError } from './errors.ts';

/** The optional central link, as the CLI sees it (kiosk/sync provides it when enabled). */
export interface SyncHandle {
  status(): unknown;
  /** Resolves when every event journalled before the call is acknowledged by the broker. */
  flush(timeoutMs?: number): Promise<void>;
}

export interface CommandContext {
  control: SeatControl;
  /** The logged-in technician's id: the `by` of every journal entry. */
  technician: string;
  clock: Clock;
  sync?: SyncHandle;
  /** Where the gate's log goes, when it goes to a file. */
  logFile?: string;
  /** Clears a technician's login lockout (the gate holds the counters). */
  unlockTechnician?: (id: string) => boolean;
  /** Streams an intermediate answer line (`more: true`) and waits until the socket takes it. */
  send(result: unknown): Promise<void>;
}

export interface CommandOutcome {
  result: unknown;
  /** Details for the maintenance_action entry (counts, codes, pseudonyms — never secrets or subs). */
  journal?: Record<string, unknown>;
  /** The facade already journalled this action itself (door commands). */
  journalled?: boolean;
}

export type Handler = (args: Record<string, unknown>, ctx: CommandContext) => Promise<CommandOutcome>;

/** Parses a command's arguments; every bad field is named in one BAD_REQUEST. */
export function parseArgs<S extends z.ZodType>(schema: S, args: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(args);
  if (!r.success) throw new CliError('BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
  return r.data;
}
