import type { SnapshotFrom } from 'xstate';
import type { Wording } from '../portrait/rules.ts';
import type { photoMachine, PhotoOutcome } from './machine.ts';

type PhotoSnapshot = SnapshotFrom<typeof photoMachine>;

/** What the binding must be doing in this state (it starts the task on entry and cancels it on exit). */
export type PhotoTask = 'scan' | 'check_photo' | 'verify_live' | 'pay' | 'print' | null;

export interface PhotoOutputs {
  task: PhotoTask;
  screen: { id: string; text: Wording; hint?: Wording };
  /** Only an accepted, compliant photo of this applicant may be passed on (to payment, then the application). */
  photoAccepted: boolean;
}

const w = (en: string, zhHant: string, zhHans: string): Wording => ({ en, zhHant, zhHans });

const OUTCOME_TEXT: Record<PhotoOutcome, Wording> = {
  PAID: w('Paid — your photo is accepted. Thank you.', '已繳費 — 相片已獲接納，謝謝。', '已缴费 — 相片已获接纳，谢谢。'),
  PHOTO_NOT_COMPLIANT: w('This photo cannot be used', '此相片不能使用', '此相片不能使用'),
  PHOTO_NOT_APPLICANT: w('The photo does not match your face', '相片與閣下的面容不符', '相片与您的面容不符'),
  LIVENESS_FAILED: w('Please go to the counter', '請前往櫃檯辦理', '请前往柜台办理'),
  NO_LIVE_FACE: w('We could not see your face clearly', '未能清楚看到閣下的面容', '未能清楚看到您的面容'),
  SCAN_FAILED: w('The photo could not be scanned', '未能掃描相片', '未能扫描相片'),
  ABANDONED: w('Session ended', '已結束', '已结束'),
  PAYMENT_DECLINED: w('The payment was declined', '付款被拒絕', '付款被拒绝'),
  PAYMENT_TIMED_OUT: w('No payment arrived in time', '未能及時收到付款', '未能及时收到付款'),
  PAYMENT_CANCELLED: w('Payment cancelled', '付款已取消', '付款已取消'),
  PAYMENT_REFUND_DUE: w('Your payment arrived after it was cancelled', '閣下的付款在取消後才到達', '您的付款在取消后才到达'),
  PAYMENT_FAILED: w('The payment could not be taken', '未能收取付款', '未能收取付款'),
};

const COUNTER = w('You can have your photo taken at the counter', '閣下可在櫃檯拍攝相片', '您可在柜台拍摄相片');
const NOT_CHARGED = w('You have not been charged; the fee is unpaid. You can pay at the counter', '閣下未被扣款，費用尚未繳付。閣下可在櫃檯繳費', '您未被扣款，费用尚未缴付。您可在柜台缴费');
const REFUND = w('It will be refunded — please see an officer', '款項將會退還 — 請向職員查詢', '款项将会退还 — 请向职员查询');

const SCAN_HINTS: Record<string, Wording> = {
  NO_PRINT: w('No photo was found — place it face down on the glass', '找不到相片 — 請將相片面朝下放在玻璃上', '找不到相片 — 请将相片面朝下放在玻璃上'),
  PRINT_TOO_SMALL: w('Place one passport-size photo on the glass', '請在玻璃上放一張護照尺寸的相片', '请在玻璃上放一张护照尺寸的相片'),
};
const SCAN_AGAIN = w('The scan did not work — please try again', '掃描未能完成 — 請再試一次', '扫描未能完成 — 请再试一次');

/** The payment's own screens (kiosk/payment PaymentScreen ids) as the photo kiosk words them. */
function payingText(screen: string | null, method: 'fps' | 'octopus' | null, fee: string): Wording {
  if (screen === 'show_qr') return w(`Scan this code with your banking app to pay ${fee}`, `請用銀行應用程式掃描此二維碼繳付 ${fee}`, `请用银行应用程序扫描此二维码缴付 ${fee}`);
  if (screen === 'tap_card') return w(`Hold your Octopus card on the reader to pay ${fee}`, `請將八達通卡放在讀卡器上繳付 ${fee}`, `请将八达通卡放在读卡器上缴付 ${fee}`);
  if (screen === 'working' && method === 'fps') return w('Checking with the bank…', '正在向銀行查核…', '正在向银行查核…');
  return w(`Preparing your payment of ${fee}…`, `正在準備繳付 ${fee}…`, `正在准备缴付 ${fee}…`);
}

const join = (parts: Wording[]): Wording => ({ en: parts.map((p) => p.en).join('. '), zhHant: parts.map((p) => p.zhHant).join('。'), zhHans: parts.map((p) => p.zhHans).join('。') });

/** Screen and task: a pure function of the state (the failing rules' wording comes from the check, by rule id). */
export function photoOutputs(s: PhotoSnapshot, ruleWording: (rule: string) => Wording | undefined = () => undefined, fee = 'the fee'): PhotoOutputs {
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
    case 'choose_payment':
      return { task: null, photoAccepted: true, screen: { id: 'choose_payment', text: w(`Your photo is accepted — please pay ${fee}`, `相片已獲接納 — 請繳付 ${fee}`, `相片已获接纳 — 请缴付 ${fee}`) } };
    case 'paying':
      return { task: 'pay', photoAccepted: true, screen: { id: c.paymentScreen === 'show_qr' || c.paymentScreen === 'tap_card' ? c.paymentScreen : 'paying', text: payingText(c.paymentScreen, c.method, fee) } };
    case 'printing':
      return { task: 'print', photoAccepted: true, screen: { id: 'printing', text: w('Paid — printing your receipt…', '已繳費 — 正在列印收據…', '已缴费 — 正在打印收据…') } };
    default: {
      const outcome = c.outcome ?? 'ABANDONED';
      const reasons = c.failing.map(ruleWording).filter((x): x is Wording => !!x);
      let hint: Wording | undefined;
      if (outcome === 'PHOTO_NOT_COMPLIANT' && reasons.length) hint = join([...reasons, COUNTER]);
      else if (outcome === 'PAID') hint = c.receiptPrinted ? w('Please take your receipt', '請取回收據', '请取回收据') : w('The receipt could not be printed — please ask an officer for one', '未能列印收據 — 請向職員索取', '未能打印收据 — 请向职员索取');
      else if (outcome === 'PAYMENT_REFUND_DUE') hint = REFUND;
      else if (outcome.startsWith('PAYMENT_')) hint = NOT_CHARGED;
      else if (outcome !== 'ABANDONED') hint = COUNTER;
      return { task: null, photoAccepted: outcome === 'PAID', screen: { id: 'result', text: OUTCOME_TEXT[outcome], ...(hint ? { hint } : {}) } };
    }
  }
}
