import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AnyMachineSnapshot } from 'xstate';
import { z } from 'zod';
import { EgateError } from '../errors.ts';
import { NO_RESUME, type LaneResume } from './context.ts';

/**
 * The lane state that must survive a restart (kill -9, power loss): the commanded mode, the
 * emergency in progress or awaiting its reset, and the faults only a technician clears. One
 * small JSON file in dataDir, apart from the journal: the binding writes it (write, fsync,
 * rename, fsync the directory) before a command is acknowledged, and the next process passes
 * it to the statechart, which resumes it once it has read the lane.
 */
const laneStateSchema = z
  .object({
    v: z.literal(1),
    commanded: z.enum(['in_service', 'out_of_service', 'maintenance']),
    emergency: z.enum(['none', 'active', 'awaiting_reset']),
    latched: z.array(z.string().max(64)).max(16),
  })
  .strict();

/** What to persist for a snapshot of either lane's statechart. While starting, what it resumes. */
export function laneStateOf(s: AnyMachineSnapshot): LaneResume {
  const ctx = s.context as { resume: LaneResume; latched: string[]; loopFault?: boolean };
  if (s.matches('starting')) return ctx.resume;
  const commanded = s.matches('maintenance') ? 'maintenance' : s.matches({ out_of_service: 'commanded' }) ? 'out_of_service' : 'in_service';
  const emergency = s.matches({ emergency: 'active' }) ? 'active' : s.matches({ emergency: 'awaiting_reset' }) ? 'awaiting_reset' : 'none';
  return { commanded, emergency, latched: [...ctx.latched, ...(ctx.loopFault ? ['loops'] : [])] };
}

export class LaneStateFile {
  readonly path: string;
  #last = '';

  constructor(path: string) {
    this.path = path;
  }

  /**
   * The state the last process saved; NO_RESUME when there is none (a first start). A file
   * that is there but unreadable is an error: guessing "in service" could reopen a lane a
   * technician had closed.
   */
  load(): LaneResume {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_RESUME;
      throw new EgateError('LANE_STATE_UNREADABLE', `cannot read ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = laneStateSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new EgateError('LANE_STATE_INVALID', `${this.path} is not a lane state file: ${parsed.error.issues[0]?.message ?? 'bad JSON'}`);
    const { v: _v, ...state } = parsed.data;
    this.#last = JSON.stringify(state);
    return state;
  }

  /** Durable before it returns; a no-op when nothing changed. Throws EgateError LANE_STATE_IO. */
  save(state: LaneResume): void {
    const text = JSON.stringify(state);
    if (text === this.#last) return;
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ v: 1, ...state }) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (err) {
      throw new EgateError('LANE_STATE_IO', `cannot save the lane state to ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    this.#last = text;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
