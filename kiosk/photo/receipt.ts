import { align, bold, concat, feed, initialise, line, partialCut, size } from '../../drivers/printer/escpos.ts';
import { formatHkd, type Cents } from '../payment/money.ts';

/** What the fee receipt says. No name, no document number, no photo: the application reference identifies it. */
export interface PhotoReceipt {
  readonly application: string;
  readonly amountCents: Cents;
  readonly method: 'fps' | 'octopus';
  /** The acquirer's or the Octopus reader's reference for the payment (for a refund or a query). */
  readonly paymentRef: string | null;
  /** YYYY-MM-DD HH:MM, Hong Kong time. */
  readonly paidAt: string;
  readonly kiosk: string;
}

/** The receipt in the kiosk's three languages, then a partial cut. */
export function photoReceiptJob(r: PhotoReceipt): Uint8Array {
  const how = r.method === 'fps' ? 'FPS 轉數快' : 'Octopus 八達通';
  return concat([
    initialise(),
    align('centre'),
    bold(true),
    size(2, 2),
    line('收據 Receipt 收据'),
    size(1, 1),
    bold(false),
    line('護照申請相片 Passport photo 护照申请相片'),
    feed(1),
    align('left'),
    line(`Application 申請編號: ${r.application}`),
    line(`Fee 費用: ${formatHkd(r.amountCents)}`),
    line(`Paid by 付款方式: ${how}`),
    line(`Payment ref 付款編號: ${r.paymentRef ?? '-'}`),
    line(`Paid 付款時間: ${r.paidAt} ${r.kiosk}`),
    feed(1),
    line('相片已獲接納。Your photo is accepted.'),
    line('相片已获接纳。'),
    feed(3),
    partialCut(),
  ]);
}
