import type { SnapshotFrom } from 'xstate';
import type { vehicleMachine } from '../crossing/vehicle-machine.ts';
import { GUIDANCE, MESSAGES, TOKEN_REASONS, VEHICLE_MESSAGES as V, type Screen } from './messages.ts';

/** Vehicle-lane guidance where the driver's seat changes the advice (the camera sees through the window). */
const DRIVER_GUIDANCE: Record<string, { en: string; zh: string }> = {
  too_small: { en: 'Lean towards the window', zh: '請靠近車窗' },
  no_face: { en: 'Lower the window and look at the camera', zh: '請打開車窗並望向鏡頭' },
  too_bright: { en: 'Glare on the window — lower it fully', zh: '車窗反光 — 請完全打開車窗' },
};

/** The driver's screen for each vehicle-lane state: short lines, big pictograms, both languages. */
export function vehicleScreen(s: SnapshotFrom<typeof vehicleMachine>): Screen {
  const ctx = s.context;
  const c = ctx.crossing;
  if (s.matches({ emergency: 'active' })) return { screen: 'emergency', tone: 'alarm', pictogram: 'emergency', ...V.emergency };
  if (s.matches('emergency')) return { screen: 'awaiting_reset', tone: 'stop', pictogram: 'closed', ...V.closed };
  if (s.matches('maintenance')) return { screen: 'maintenance', tone: 'stop', pictogram: 'closed', ...MESSAGES.maintenance };
  if (s.matches('out_of_service')) return { screen: 'closed', tone: 'stop', pictogram: 'closed', ...V.closed };
  if (s.matches({ in_service: 'idle' })) return { screen: 'idle', tone: 'neutral', pictogram: 'car', ...V.idle };
  if (s.matches({ in_service: { session: 'waiting_token' } })) return { screen: 'present', tone: 'neutral', pictogram: 'card', ...V.present };
  if (s.matches({ in_service: { session: 'token_check' } })) return { screen: 'checking', tone: 'wait', pictogram: 'wait', ...MESSAGES.checking };
  if (s.matches({ in_service: { session: 'face' } })) {
    const issue = ctx.guidance[0];
    const hint = issue ? (DRIVER_GUIDANCE[issue] ?? GUIDANCE[issue]) : undefined;
    return { screen: 'face', tone: 'neutral', pictogram: 'face', ...V.look, ...(hint ? { hint } : {}) };
  }
  if (s.matches({ in_service: 'token_refused' })) {
    return { screen: 'token_refused', tone: 'stop', pictogram: 'stop', ...MESSAGES.token_refused, hint: TOKEN_REASONS[ctx.last?.reason ?? ''] ?? V.staffed_lane };
  }
  if (s.matches({ in_service: 'clearing' })) {
    const text = ctx.last?.reason === 'NO_TOKEN' ? V.no_token : V.staffed_lane;
    return { screen: 'staffed_lane', tone: 'stop', pictogram: 'counter', ...text };
  }
  if (s.matches({ in_service: 'passing' })) {
    if (c?.stalled) return { screen: 'drive_on_now', tone: 'alarm', pictogram: 'car', ...V.drive_on_now };
    return { screen: 'drive_on', tone: 'go', pictogram: 'car', ...V.drive_on };
  }
  if (s.matches({ in_service: 'tailgate' })) return { screen: 'second_vehicle', tone: 'alarm', pictogram: 'stop', ...V.second_vehicle };
  if (s.matches({ in_service: 'lowering' })) return { screen: 'wait_barrier', tone: 'wait', pictogram: 'wait', ...V.wait_barrier };
  return { screen: 'wait', tone: 'wait', pictogram: 'wait', ...MESSAGES.wait };
}
