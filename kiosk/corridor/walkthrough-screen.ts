import type { SnapshotFrom } from 'xstate';
import { MESSAGES, type Screen } from '../display/messages.ts';
import { front } from './passages.ts';
import type { walkthroughMachine } from './walkthrough-machine.ts';

/**
 * The large sign at the corridor's end, read while walking: one word and a pictogram for the
 * traveller nearest the exit. Nothing about who they are (the sign faces the whole corridor).
 */
const WALK = { en: 'Walk through — look at this sign', zh: '請步行通過 — 請望向此標誌' };
const KEEP_WALKING = { en: 'Keep walking', zh: '請繼續前行' };

export function walkthroughScreen(s: SnapshotFrom<typeof walkthroughMachine>): Screen {
  if (s.matches({ emergency: 'active' })) return { screen: 'emergency', tone: 'alarm', pictogram: 'emergency', ...MESSAGES.emergency };
  if (s.matches('maintenance')) return { screen: 'maintenance', tone: 'stop', pictogram: 'closed', ...MESSAGES.maintenance };
  if (s.matches('emergency') || s.matches('out_of_service') || s.matches('starting')) return { screen: 'closed', tone: 'stop', pictogram: 'closed', ...MESSAGES.closed };
  if (s.matches({ in_service: 'tailgate' })) return { screen: 'tailgate', tone: 'alarm', pictogram: 'step-back', ...MESSAGES.step_back };
  if (s.matches({ in_service: 'exit' })) return { screen: 'proceed', tone: 'go', pictogram: 'walk-out', ...MESSAGES.proceed };
  const f = front(s.context);
  if (!f) return { screen: 'idle', tone: 'neutral', pictogram: 'walk-in', ...WALK };
  if (f.decision === 'no_match' || f.decision === 'spoof') return { screen: 'refused', tone: 'stop', pictogram: 'counter', ...MESSAGES.counter };
  if (f.decision === 'match') return { screen: 'proceed', tone: 'go', pictogram: 'walk-out', ...MESSAGES.proceed };
  return { screen: 'walking', tone: 'wait', pictogram: 'face', ...KEEP_WALKING };
}
