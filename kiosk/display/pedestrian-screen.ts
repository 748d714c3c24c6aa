import type { SnapshotFrom } from 'xstate';
import type { pedestrianMachine } from '../crossing/pedestrian-machine.ts';
import { GUIDANCE, MESSAGES, TOKEN_REASONS, type Screen } from './messages.ts';

/** The traveller's screen for each pedestrian crossing state. */
export function pedestrianScreen(s: SnapshotFrom<typeof pedestrianMachine>): Screen {
  if (s.matches({ emergency: 'active' })) return { screen: 'emergency', tone: 'alarm', pictogram: 'emergency', ...MESSAGES.emergency };
  if (s.matches({ emergency: { awaiting_reset: 'releasing' } })) return { screen: 'leave', tone: 'wait', pictogram: 'walk-out', ...MESSAGES.leave };
  if (s.matches('emergency')) return { screen: 'awaiting_reset', tone: 'stop', pictogram: 'closed', ...MESSAGES.awaiting_reset };
  if (s.matches('maintenance')) return { screen: 'maintenance', tone: 'stop', pictogram: 'closed', ...MESSAGES.maintenance };
  if (s.matches('out_of_service')) {
    if (s.context.releaseOccupant) return { screen: 'leave', tone: 'wait', pictogram: 'walk-out', ...MESSAGES.leave };
    return { screen: 'closed', tone: 'stop', pictogram: 'closed', ...MESSAGES.closed };
  }
  if (s.matches({ in_service: 'idle' })) return { screen: 'idle', tone: 'neutral', pictogram: 'reader', ...MESSAGES.idle, hint: MESSAGES.reader_below };
  if (s.matches({ in_service: 'token_check' })) return { screen: 'checking', tone: 'wait', pictogram: 'wait', ...MESSAGES.checking };
  if (s.matches({ in_service: 'token_refused' })) {
    return { screen: 'token_refused', tone: 'stop', pictogram: 'stop', ...MESSAGES.token_refused, hint: TOKEN_REASONS[s.context.last?.reason ?? ''] ?? MESSAGES.counter };
  }
  if (s.matches({ in_service: 'entry' })) return { screen: 'enter', tone: 'go', pictogram: 'walk-in', ...MESSAGES.enter };
  if (s.matches({ in_service: 'abandoned' })) return { screen: 'wait', tone: 'wait', pictogram: 'wait', ...MESSAGES.wait };
  if (s.matches({ in_service: 'tailgate' })) return { screen: 'step_back', tone: 'alarm', pictogram: 'step-back', ...MESSAGES.step_back };
  if (s.matches({ in_service: 'face' })) {
    const issue = s.context.guidance[0];
    const hint = issue ? GUIDANCE[issue] : undefined;
    return { screen: 'face', tone: 'neutral', pictogram: 'face', ...MESSAGES.look, ...(hint ? { hint } : {}) };
  }
  if (s.matches({ in_service: 'exit' })) return { screen: 'proceed', tone: 'go', pictogram: 'walk-out', ...MESSAGES.proceed };
  if (s.matches({ in_service: 'refused' })) return { screen: 'counter', tone: 'stop', pictogram: 'counter', ...MESSAGES.counter };
  return { screen: 'wait', tone: 'wait', pictogram: 'wait', ...MESSAGES.wait };
}
