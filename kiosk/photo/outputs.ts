import type { SnapshotFrom } from 'xstate';
import type { Wording } from '../portrait/rules.ts';
import type { photoMachine, PhotoOutcome } from './machine.ts';

type PhotoSnapshot = SnapshotFrom<typeof photoMachine>;

/** What the binding must be doing in this state (it starts the task on entry and cancels it on exit). */
export type PhotoTask = 'scan' | 'check_photo' | 'verify_live' | null;

export interface PhotoOutputs {
  task: PhotoTask;
  screen: { id: string; text: Wording; hint?: Wording };
  /** Only an accepted, compliant photo of this applicant may be passed on (to payment, then the application). */
  photoAccepted: boolean;
}

const w = (en: string, zhHant: string, zhHans: string): Wording => ({ en, zhHant, zhHans });

const OUTCOME_TEXT: Record<PhotoOutcome, Wording> = {
  ACCEPTED_AWAITING_PAYMENT: w('Your photo is accepted — please pay the fee', '相片已獲接納 — 請繳付費用', '相片已获接纳 — 请缴付费用'),
  PHOTO_NOT_COMPLIANT: w('This photo cannot be used', '此相片不能使用', '此相片不能使用'),
  PHOTO_NOT_APPLICANT: w('The photo does not match your face', '相片與閣下的面容不符', '相片与您的面容不符'),
  LIVENESS_FAILED: w('Please go to the counter', '請前往櫃檯辦理', '请前往柜台办理'),
  NO_LIVE_FACE: w('We could not see your face clearly', '未能清楚看到閣下的面容', '未能清楚看到您的面容'),
  SCAN_FAILED: w('The photo could not be scanned', '未能掃描相片', '未能扫描相片'),
  ABANDONED: w('Session ended', '已結束', '已结束'),
};

const COUNTER = w('You can have your photo taken at the counter', '閣下可在櫃檯拍攝相片', '您可在柜台拍摄相片');

const SCAN_HINTS: Record<string, Wording> = {
  NO_PRINT: w('No photo was found — place it face down on the glass', '找不到相片 — 請將相片面朝下放在玻璃上', '找不到相片 — 请将相片面朝下放在玻璃上'),
  PRINT_TOO_SMALL: w('Place one passport-size photo on the glass', '請在玻璃上放一張護照尺寸的相片', '请在玻璃上放一张护照尺寸的相片'),
};
const SCAN_AGAIN = w('The scan did not work — please try again', '掃描未能完成 — 請再試一次', '扫描未能完成 — 请再试一次');

/** Screen and task: a pure function of the state (the failing rules' wording comes from the check, by rule id). */
export function photoOutputs(s: PhotoSnapshot, ruleWording: (rule: string) => Wording | undefined = () => undefined): PhotoOutputs {
  const c = s.context;
  switch (s.value) {
    case 'idle':
      return { task: null, photoAccepted: false, screen: { id: 'idle', text: w('Touch Start to check your passport photo', '請按「開始」檢查護照相片', '请按“开始”检查护照相片') } };
    case 'place_photo': {
      const hint = c.scanProblem ? SCAN_HINTS[c.scanProblem] ?? SCAN_AGAIN : undefined;
      return { task: null, photoAccepted: false, screen: { id: 'place_photo', text: w('Place your photo face down on the scanner, then touch Scan', '請將相片面朝下放在掃描器上，然後按「掃描」', '请将相片面朝下放在扫描器上，然后按“扫描”'), ...(hint ? { hint } : {}) } };
    }
    case 'scanning':
      return { task: 'scan', photoAccepted: false, screen: { id: 'scanning', text: w('Scanning — do not lift the lid', '正在掃描 — 請勿打開蓋板', '正在扫描 — 请勿打开盖板') } };
    case 'checking_photo':
      return { task: 'check_photo', photoAccepted: false, screen: { id: 'checking_photo', text: w('Checking your photo…', '正在檢查相片…', '正在检查相片…') } };
    case 'look_at_camera':
      return { task: 'verify_live', photoAccepted: false, screen: { id: 'look_at_camera', text: w('Look at the camera', '請望向鏡頭', '请望向镜头') } };
    default: {
      const outcome = c.outcome ?? 'ABANDONED';
      const reasons = c.failing.map(ruleWording).filter((x): x is Wording => !!x);
      const hint = outcome === 'PHOTO_NOT_COMPLIANT' && reasons.length
        ? { en: [...reasons.map((r) => r.en), COUNTER.en].join('. '), zhHant: [...reasons.map((r) => r.zhHant), COUNTER.zhHant].join('。'), zhHans: [...reasons.map((r) => r.zhHans), COUNTER.zhHans].join('。') }
        : outcome !== 'ACCEPTED_AWAITING_PAYMENT' && outcome !== 'ABANDONED' ? COUNTER : undefined;
      return { task: null, photoAccepted: outcome === 'ACCEPTED_AWAITING_PAYMENT', screen: { id: 'result', text: OUTCOME_TEXT[outcome], ...(hint ? { hint } : {}) } };
    }
  }
}
