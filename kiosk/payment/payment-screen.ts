import type { AttemptState, PaymentMethod } from './payment-store.ts';
import { formatHkd, type Cents } from './money.ts';

/** What the applicant sees for a payment state: a pure function of it (the display renders it). */
export interface PaymentScreen {
  screen: 'working' | 'show_qr' | 'tap_card' | 'paid' | 'declined' | 'not_paid' | 'cancelled' | 'refund';
  en: string;
  zh: string;
}

export function paymentScreen(state: AttemptState, method: PaymentMethod, amount: Cents): PaymentScreen {
  const fee = formatHkd(amount);
  switch (state) {
    case 'created':
      return { screen: 'working', en: `Preparing your payment of ${fee}…`, zh: `正在準備繳付 ${fee}…` };
    case 'open':
      return method === 'fps'
        ? { screen: 'show_qr', en: `Scan this code with your banking app to pay ${fee}`, zh: `請用銀行應用程式掃描此二維碼繳付 ${fee}` }
        : { screen: 'tap_card', en: `Hold your Octopus card on the reader to pay ${fee}`, zh: `請將八達通卡放在讀卡器上繳付 ${fee}` };
    case 'cancelling':
      return { screen: 'working', en: 'Checking with the bank…', zh: '正在向銀行查核…' };
    case 'paid':
      return { screen: 'paid', en: `Paid ${fee}. Thank you.`, zh: `已繳付 ${fee}，謝謝。` };
    case 'declined':
      return { screen: 'declined', en: 'The payment was declined. You have not been charged.', zh: '付款被拒絕，未有扣款。' };
    case 'timed_out':
      return { screen: 'not_paid', en: 'No payment arrived in time. You have not been charged; the fee is unpaid.', zh: '未能及時收到付款。未有扣款，費用尚未繳付。' };
    case 'cancelled':
      return { screen: 'cancelled', en: 'Payment cancelled. You have not been charged.', zh: '付款已取消，未有扣款。' };
    case 'refund_due':
      return { screen: 'refund', en: 'Your payment arrived after it was cancelled. It will be refunded; please see an officer.', zh: '您的付款在取消後才到達，將會退款；請向職員查詢。' };
  }
}
