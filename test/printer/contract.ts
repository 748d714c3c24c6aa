import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { concat, initialise, line } from '../../drivers/printer/escpos.ts';
import { PrinterError, type ReceiptPrinter } from '../../drivers/printer/interface.ts';
import type { PrinterModel } from '../../drivers/printer/printer-model.ts';
import type { SimulatedClock } from '../../kiosk/clock.ts';
import { peerSuite } from '../helpers/suite.ts';

/** What the contract needs to drive a printer implementation. */
export interface PrinterHarness {
  printer: ReceiptPrinter;
  /** The printer at the far end: paper, cover, what it received. */
  model: PrinterModel;
  clock: SimulatedClock;
  statusTimeoutMs: number;
  /** A printer for a device that is not there. */
  absent(): ReceiptPrinter;
  close(): Promise<void>;
}

export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, PrinterError);
    assert.is((err as PrinterError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

const JOB = concat([initialise(), line('Ref 編號: ENR-TEST-1'), line('plain ASCII line')]);

export function printerContract(name: string, peers: string[], make: () => Promise<PrinterHarness>): void {
  const t = peerSuite<{ h: PrinterHarness }>(`printer contract: ${name}`, peers);
  t.before.each(async (ctx) => {
    ctx.h = await make();
  });
  t.after.each(async (ctx) => {
    await ctx.h.close();
  });

  t('open twice is one open; status is what the printer answers', async ({ h }) => {
    await h.printer.open();
    await h.printer.open();
    assert.equal(await h.printer.status(), { online: true, paper: 'ok', coverOpen: false });
    h.model.paper = 'near-end';
    assert.equal(await h.printer.status(), { online: true, paper: 'near-end', coverOpen: false });
  });

  t('a job reaches the printer byte for byte, with no unknown command', async ({ h }) => {
    await h.printer.open();
    await h.printer.print(JOB);
    assert.equal(Uint8Array.from(h.model.printed), JOB);
    assert.is(h.model.unknown, 0);
  });

  t('two jobs at once are printed one after the other, never interleaved', async ({ h }) => {
    await h.printer.open();
    const other = concat([initialise(), line('second slip '.repeat(5))]);
    await Promise.all([h.printer.print(JOB), h.printer.print(other)]);
    assert.equal(Uint8Array.from(h.model.printed), concat([JOB, other]));
  });

  t('no paper: PRINTER_PAPER_OUT and not one byte of the job is sent', async ({ h }) => {
    await h.printer.open();
    h.model.paper = 'out';
    await rejects(h.printer.print(JOB), 'PRINTER_PAPER_OUT');
    assert.is(h.model.printed.length, 0);
    assert.equal(await h.printer.status(), { online: false, paper: 'out', coverOpen: false });
  });

  t('cover open: PRINTER_OFFLINE, nothing sent; closed again, the job prints', async ({ h }) => {
    await h.printer.open();
    h.model.coverOpen = true;
    await rejects(h.printer.print(JOB), 'PRINTER_OFFLINE');
    assert.is(h.model.printed.length, 0);
    assert.is((await h.printer.status()).coverOpen, true);
    h.model.coverOpen = false;
    await h.printer.print(JOB);
    assert.is(h.model.printed.length, JOB.length);
  });

  t('paper running out during the job: PRINTER_INCOMPLETE', async ({ h }) => {
    await h.printer.open();
    h.model.rowsLeft = 45; // one and a half text lines
    await rejects(h.printer.print(JOB), 'PRINTER_INCOMPLETE');
    assert.is(h.model.paper, 'out');
  });

  t('a printer that does not answer: PRINTER_NO_REPLY at the timeout on the Clock, not before', async ({ h }) => {
    await h.printer.open();
    h.model.mute = true;
    let settled: unknown;
    const p = h.printer.status().then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    await until(() => h.model.queries === 1, 'the first status query at the printer');
    h.clock.advance(h.statusTimeoutMs - 1);
    await sleep(50);
    assert.is(settled, undefined);
    h.clock.advance(1);
    await p;
    assert.instance(settled, PrinterError);
    assert.is((settled as PrinterError).code, 'PRINTER_NO_REPLY');
    h.model.mute = false; // the next query is answered again
    assert.is((await h.printer.status()).online, true);
  });

  t('closed: calls reject PRINTER_CLOSED; close is idempotent', async ({ h }) => {
    await h.printer.open();
    await h.printer.close();
    await h.printer.close();
    await rejects(h.printer.print(JOB), 'PRINTER_CLOSED');
    await rejects(h.printer.status(), 'PRINTER_CLOSED');
  });

  t('an absent device: open rejects PRINTER_OPEN', async ({ h }) => {
    const p = h.absent();
    await rejects(p.open(), 'PRINTER_OPEN');
    await rejects(p.status(), 'PRINTER_CLOSED');
  });

  t.run();
}
