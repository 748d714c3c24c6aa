import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import { pedestrianMachine } from '../crossing/pedestrian-machine.ts';
import { pedestrianOutputs } from '../crossing/pedestrian-outputs.ts';
import type { Screen } from '../display/messages.ts';
import { pedestrianScreen } from '../display/pedestrian-screen.ts';
import type { GateProfile } from '../gate.ts';

type AnySnap = SnapshotFrom<AnyStateMachine>;

/** What a visitor reads at an Express e-Channel where the residents' lane speaks of cards and QR codes. */
const IDLE = { en: 'Place your passport on the reader, photo page down', zh: '請將護照資料頁向下放在閱讀器上' };
const CHECKING = { en: 'Reading your passport — keep it still. e-Visa holders: scan the e-Visa QR code now', zh: '正在讀取護照 — 請勿移動。電子簽證持有人：請掃描電子簽證二維碼' };

/** Reasons a visitor can act on, for a refused document (epassport.md codes). */
export const DOCUMENT_REASONS: Record<string, { en: string; zh: string }> = {
  MRZ_INVALID: { en: 'The passport could not be read — place it again', zh: '未能讀取護照 — 請重新放置' },
  CHIP_UNREADABLE: { en: 'The passport chip could not be read', zh: '未能讀取護照晶片' },
  DOC_EXPIRED: { en: 'This passport has expired', zh: '此護照已過期' },
  DOC_NOT_ELIGIBLE: { en: 'This passport is not eligible for this e-Channel', zh: '此護照不適用於此e-道' },
  VISA_MISSING: { en: 'Your nationality needs a visa: scan your e-Visa QR code after the passport', zh: '閣下的國籍須持簽證：請在護照後掃描電子簽證二維碼' },
  VISA_BEFORE_PASSPORT: { en: 'Place your passport first, then scan your e-Visa', zh: '請先放置護照，然後掃描電子簽證' },
  VISA_EXPIRED: { en: 'This e-Visa has expired', zh: '此電子簽證已過期' },
  VISA_NOT_YET_VALID: { en: 'This e-Visa is not valid yet', zh: '此電子簽證尚未生效' },
  VISA_HOLDER_MISMATCH: { en: 'This e-Visa was issued for another passport', zh: '此電子簽證並非為此護照簽發' },
};

function expressScreen(s: AnySnap): Screen {
  const screen = pedestrianScreen(s as never);
  if (screen.screen === 'idle') return { ...screen, pictogram: 'passport-down', ...IDLE };
  if (screen.screen === 'checking') return { ...screen, pictogram: 'passport', ...CHECKING };
  if (screen.screen === 'token_refused') {
    const reason = (s.context as { last?: { reason: string } | null }).last?.reason ?? '';
    // Anything else (a failed authenticity check) sends the visitor to an officer without detail.
    return { ...screen, hint: DOCUMENT_REASONS[reason] ?? { en: 'Please go to the counter', zh: '請前往櫃檯辦理' } };
  }
  return screen;
}

/**
 * The visitors' Express e-Channel: the same mantrap crossing as the residents' lane, with
 * the e-passport in place of the token (its chip photo is the face reference) and
 * REJECTED_DOCUMENT for a document that fails its checks.
 */
export const expressProfile: GateProfile = {
  machine: pedestrianMachine as unknown as AnyStateMachine,
  outputsFor: (s: AnySnap) => pedestrianOutputs(s as never),
  screenFor: expressScreen,
  channels: { scanner: 'passport', card: 'card' },
  tokenRefusal: 'REJECTED_DOCUMENT',
};
