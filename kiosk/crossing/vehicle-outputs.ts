import type { SnapshotFrom } from 'xstate';
import type { vehicleMachine } from './vehicle-machine.ts';

export type VehicleOutputs = {
  barrier_raise: boolean;
  green: boolean;
  red: boolean;
  buzzer: boolean;
  out_of_service_sign: boolean;
};

const DOWN: VehicleOutputs = { barrier_raise: false, green: false, red: false, buzzer: false, out_of_service_sign: false };

/**
 * The barrier, lamps and buzzer for each vehicle-lane state, a pure function of the snapshot
 * so the binding can re-write it after any restart or reconnect. The arm follows `armUp`
 * alone (the machine raises it only on a decision or the fire alarm and lowers it only while
 * nothing is under it); the fire alarm raises it whatever else holds, as the controller does.
 */
export function vehicleOutputs(s: SnapshotFrom<typeof vehicleMachine>): VehicleOutputs {
  const ctx = s.context;
  const arm = ctx.armUp || ctx.fireAlarm;
  const on = (o: Partial<VehicleOutputs>): VehicleOutputs => ({ ...DOWN, barrier_raise: arm, ...o });
  if (s.matches({ emergency: 'active' })) return on({ green: true, out_of_service_sign: true, buzzer: true });
  // Alarm cleared, awaiting the reset: closed (red), the arm down once nothing is under it.
  if (s.matches('emergency')) return on({ red: true, out_of_service_sign: true });
  // A forced arm sounds the buzzer until a technician has seen it (maintenance clears the latch).
  if (s.matches('out_of_service') || s.matches('maintenance')) return on({ red: true, out_of_service_sign: true, buzzer: ctx.latched.some((l) => l.startsWith('door_forced:')) });
  if (s.matches({ in_service: 'passing' })) {
    const stalled = ctx.crossing?.stalled === true;
    return on({ green: true, buzzer: stalled });
  }
  if (s.matches({ in_service: 'tailgate' })) return on({ red: true, buzzer: true });
  return on({ red: true });
}
