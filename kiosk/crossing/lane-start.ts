import type { CrossingContext, LaneResume } from './context.ts';
import type { CrossingEvent } from './events.ts';
import type { CrossingFact } from './facts.ts';

/**
 * What both lanes' statecharts share about starting up and latched faults: the guards of the
 * `starting` state (resume what the last process persisted, once the lane has been read) and
 * the forced-door latch. Plain functions of the context, so each machine wraps them in its
 * own typed actions.
 */
type Ctx = Pick<CrossingContext, 'ioKnown' | 'fireKnown' | 'faults' | 'resume' | 'latched'>;
type Args = { context: Ctx };

/** The controller reported the lane and the fire input once — or it does not answer at all. */
const laneKnown = (c: Ctx): boolean => (c.ioKnown && c.fireKnown) || c.faults.includes('controller');

export const laneGuards = {
  laneKnown: ({ context }: Args) => laneKnown(context),
  resumeEmergency: ({ context }: Args) => laneKnown(context) && context.resume.emergency === 'active',
  resumeAwaitingReset: ({ context }: Args) => laneKnown(context) && context.resume.emergency === 'awaiting_reset',
  resumeMaintenance: ({ context }: Args) => laneKnown(context) && context.resume.commanded === 'maintenance',
  resumeOutOfService: ({ context }: Args) => laneKnown(context) && context.resume.commanded === 'out_of_service',
  doorForced: ({ context }: Args) => context.latched.some((l) => l.startsWith(FORCED)),
};

const FORCED = 'door_forced:';

/** A SET_MODE while starting: becomes what the lane resumes once it has been read. */
export function resumeWithMode(c: Ctx, event: CrossingEvent): LaneResume {
  return event.type === 'SET_MODE' ? { ...c.resume, commanded: event.mode } : c.resume;
}

/** DOOR_FORCED: the alarm fact and the new latch list, or null when this door is already latched. */
export function forcedDoorLatch(c: Ctx & { crossing: { id: string } | null }, event: CrossingEvent): { fact: CrossingFact; latched: string[] } | null {
  if (event.type !== 'DOOR_FORCED') return null;
  const key = FORCED + event.door;
  if (c.latched.includes(key)) return null;
  return {
    fact: { type: 'journal', event: 'alarm_raised', data: { alarm: 'DOOR_FORCED', door: event.door, crossing: c.crossing?.id ?? null } },
    latched: [...c.latched, key],
  };
}

/** A technician's maintenance clears the forced-door latches: one alarm_cleared each. */
export function clearedDoorLatches(c: Ctx, event: CrossingEvent): { facts: CrossingFact[]; latched: string[] } {
  const by = event.type === 'SET_MODE' || event.type === 'RESET' ? event.by : 'unknown';
  const forced = c.latched.filter((l) => l.startsWith(FORCED));
  return {
    facts: forced.map((l) => ({ type: 'journal', event: 'alarm_cleared', data: { alarm: 'DOOR_FORCED', door: l.slice(FORCED.length), by } })),
    latched: c.latched.filter((l) => !l.startsWith(FORCED)),
  };
}
