/**
 * The "kiosk process" of the kill -9 payment test: pays each application in turn by FPS
 * through the real HTTP driver against the parent's acquirer, with the real store and
 * journal. KILL=<step>:<application> makes it SIGKILL itself right after that durable
 * step (the trace hook), so every dangerous point is hit exactly; the parent also kills it
 * at random moments. Prints "step <name> <application>" and "done <application> <state>".
 */
import { join } from 'node:path';
import { SystemClock } from '../../kiosk/clock.ts';
import { errorCode } from '../../kiosk/errors.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { PaymentDesk } from '../../kiosk/payment/payment-desk.ts';
import { PaymentStore } from '../../kiosk/payment/payment-store.ts';
import { HttpPaymentGateway } from '../../drivers/payment/http-gateway.ts';

const [dir, url, ...apps] = process.argv.slice(2) as [string, string, ...string[]];
const [killStep, killApp] = (process.env.KILL ?? ':').split(':');
const clock = new SystemClock();
const journal = Journal.open({ path: join(dir, 'journal.sqlite'), gate: 'PAY-K-01', clock, secretPath: join(dir, 'secret') });
const store = new PaymentStore(join(dir, 'payments.sqlite'));
const desk = new PaymentDesk({
  store,
  gateway: new HttpPaymentGateway({ url, requestTimeoutMs: 5_000, pollMs: 50 }, { clock }),
  journal,
  clock,
  merchant: { proxy: { kind: 'fps_id', value: '123456789' }, mcc: '9399', merchantName: 'IMMD', merchantCity: 'HONG KONG' },
  budgetMs: 60_000,
  retryMs: 200,
  trace: (step, a) => {
    process.stdout.write(`step ${step} ${a.application}\n`);
    if (step === killStep && a.application === killApp) process.kill(process.pid, 'SIGKILL');
  },
});
await desk.start();
for (const app of apps) {
  if (store.isPaid(app)) continue;
  try {
    const out = await desk.payByFps(app, 45_000);
    process.stdout.write(`done ${app} ${out.state}\n`);
  } catch (err) {
    // a notice from before the restart may have settled it already
    if (errorCode(err) !== 'PAYMENT_ALREADY_PAID') throw err;
    process.stdout.write(`done ${app} paid\n`);
  }
}
await desk.stop();
store.close();
journal.close();
process.exit(0);
