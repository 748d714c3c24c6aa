/**
 * Payment figures: FPS QR encode and strict decode time, PNG render time, and the kiosk's own
 * time for one FPS payment through the real HTTP driver, store and journal against the
 * simulated acquirer on localhost (charge opened → payer pays at once → paid notice polled →
 * journalled and stored), i.e. everything but the payer's phone. Prints a table, then one
 * JSON line (the last line).
 *
 *   node --import tsx scripts/bench-payment.ts [--n 200] [--payments 30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SystemClock } from '../kiosk/clock.ts';
import { Journal } from '../kiosk/journal/journal.ts';
import { decodeFpsQr, encodeFpsQr, type FpsQr } from '../kiosk/payment/fps-qr.ts';
import { fpsQrPng } from '../kiosk/payment/fps-qr-render.ts';
import { PaymentDesk } from '../kiosk/payment/payment-desk.ts';
import { PaymentStore } from '../kiosk/payment/payment-store.ts';
import { serveAcquirer } from '../drivers/payment/acquirer-http.ts';
import { SimulatedAcquirer } from '../drivers/payment/acquirer-sim.ts';
import { HttpPaymentGateway } from '../drivers/payment/http-gateway.ts';

const whole = (v: string): number => {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('a positive whole number');
  return Number(v);
};
const opts = new Command('bench-payment')
  .description('FPS QR codec and render time, kiosk time per FPS payment (HTTP driver, store, journal); a table, then one JSON line')
  .option('--n <count>', 'codes encoded, decoded and rendered', whole, 200)
  .option('--payments <count>', 'payments through the HTTP driver', whole, 30)
  .parse()
  .opts<{ n: number; payments: number }>();

function stats(ms: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { n: s.length, p50: r(q(0.5)), p95: r(q(0.95)), max: r(s.at(-1) ?? NaN) };
}

const load0 = loadavg()[0]!;
const code = (i: number): FpsQr => ({ dynamic: true, proxy: { kind: 'fps_id', value: '123456789' }, mcc: '9399', currency: '344', amountCents: 45_000 + i, merchantName: 'IMMIGRATION DEPT', merchantCity: 'HONG KONG', billNumber: `PA${String(i).padStart(8, '0')}-1` });
const enc: number[] = [];
const dec: number[] = [];
const png: number[] = [];
for (let i = 0; i < opts.n; i++) {
  let t = performance.now();
  const text = encodeFpsQr(code(i));
  enc.push(performance.now() - t);
  t = performance.now();
  decodeFpsQr(text);
  dec.push(performance.now() - t);
  t = performance.now();
  await fpsQrPng(text, 6);
  png.push(performance.now() - t);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-payment-'));
const clock = new SystemClock();
const acq = new SimulatedAcquirer(clock);
acq.payer = () => 'pay';
acq.payerDelayMs = 0;
const server = await serveAcquirer(acq);
const journal = Journal.open({ path: join(dir, 'journal.sqlite'), gate: 'BENCH-PAY', clock, secretPath: join(dir, 'secret') });
const store = new PaymentStore(join(dir, 'payments.sqlite'));
const desk = new PaymentDesk({ store, gateway: new HttpPaymentGateway({ url: server.url, pollMs: 20 }, { clock }), journal, clock, merchant: { proxy: { kind: 'fps_id', value: '123456789' }, mcc: '9399', merchantName: 'IMMD', merchantCity: 'HONG KONG' }, budgetMs: 60_000, retryMs: 200 });
await desk.start();
const pay: number[] = [];
for (let i = 0; i < opts.payments; i++) {
  const t = performance.now();
  const out = await desk.payByFps(`BP${String(i).padStart(6, '0')}`, 45_000);
  if (out.state !== 'paid') throw new Error(`payment ${i} ended ${out.state}`);
  pay.push(performance.now() - t);
}
await desk.stop();
store.close();
journal.close();
await server.close();
rmSync(dir, { recursive: true, force: true });

const rows = { fps_encode_ms: stats(enc), fps_decode_ms: stats(dec), fps_png_ms: stats(png), fps_payment_kiosk_ms: stats(pay) };
console.log('what                         n      p50 ms    p95 ms    max ms');
for (const [k, v] of Object.entries(rows)) console.log(`${k.padEnd(26)} ${String(v.n).padStart(4)} ${String(v.p50).padStart(10)} ${String(v.p95).padStart(9)} ${String(v.max).padStart(9)}`);
console.log(`notice poll 20 ms; payer pays at once; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);
console.log(JSON.stringify({ ...rows, debits: opts.payments, charges_opened: acq.opened, load_before: load0, load_after: loadavg()[0], cores: cpus().length }));
