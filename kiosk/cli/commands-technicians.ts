import { z } from 'zod';
import { parseArgs, type Handler } from './command-types.ts';
import { CliError } from './errors.ts';
import { TECHNICIAN_ID } from './credentials.ts';

/** Gate-side technician commands: the lockout counters live in the gate, so unlocking goes through it. */
export const technicianCommands: Record<string, Handler> = {
  async 'technician.unlock'(args, ctx) {
    const a = parseArgs(z.object({ id: z.string().regex(TECHNICIAN_ID) }), args);
    if (!ctx.unlockTechnician) throw new CliError('UNSUPPORTED', 'this gate cannot unlock technicians');
    const wasLocked = ctx.unlockTechnician(a.id);
    return { result: { id: a.id, wasLocked }, journal: { technician: a.id, was_locked: wasLocked } };
  },
};
