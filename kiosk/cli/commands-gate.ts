import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import type { ControlResult } from '../control.ts';
import type { GateStatus } from '../control-types.ts';
import { parseArgs, type Handler } from './command-types.ts';
import { CliError } from './errors.ts';

/** Turns a refused facade call into the error the client prints (and the journal records). */
function must(r: ControlResult): string | undefined {
  if (!r.ok) throw new CliError(r.code, r.error);
  return r.detail;
}

/** A technician waits this long for the backlog to go out before being told it did not. */
const FLUSH_TIMEOUT_MS = 30_000;
const LOG_TAIL_BYTES = 512 * 1024;

/** The last `n` lines of a file, reading at most its last 512 KiB. */
function tailFile(path: string, n: number): string[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, LOG_TAIL_BYTES);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
    if (len < size) lines.shift(); // the first line was cut in half
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/** What the technician should expect after a mode change, in the gate's own terms. */
function whatNext(asked: string, now: GateStatus, healthyMs: number): string {
  if (asked !== 'in_service') return asked === 'maintenance' ? 'no crossing starts; doors can be moved by hand (egate door …)' : 'no crossing starts; the display shows the lane closed';
  if (now.mode === 'in_service') return 'in service now';
  const faulty = Object.entries(now.devices).filter(([, h]) => !h.healthy).map(([d, h]) => `${d} ${h.code ?? ''}`.trim());
  if (faulty.length) return `in service once these devices are healthy for ${healthyMs / 1000} s: ${faulty.join(', ')} (egate status)`;
  return `in service by itself once every device has been healthy for ${healthyMs / 1000} s`;
}

export const gateCommands: Record<string, Handler> = {
  async status(_args, ctx) {
    return { result: { ...ctx.control.status(), sync: ctx.sync ? ctx.sync.status() : null } };
  },

  async selftest(_args, ctx) {
    const r = await ctx.control.selfTest(ctx.clock);
    return { result: r, journal: { passed: r.ok, failed: r.checks.filter((c) => !c.ok).map((c) => c.device) } };
  },

  async door(args, ctx) {
    const a = parseArgs(z.object({ action: z.enum(['open', 'close', 'cycle']), door: z.string().max(32) }), args);
    must(await ctx.control.door(a.action, a.door, ctx.technician));
    return { result: { action: a.action, door: a.door }, journalled: true };
  },

  async mode(args, ctx) {
    const a = parseArgs(z.object({ mode: z.enum(['in_service', 'out_of_service', 'maintenance']) }), args);
    const detail = must(ctx.control.setMode(a.mode, ctx.technician));
    return { result: { mode: a.mode, detail, next: whatNext(a.mode, ctx.control.status(), ctx.control.config.timings.healthyBeforeServiceMs) }, journal: { mode: a.mode } };
  },

  async reset(_args, ctx) {
    must(ctx.control.reset(ctx.technician));
    return { result: { reset: true } };
  },

  async 'sync.status'(_args, ctx) {
    if (!ctx.sync) throw new CliError('SYNC_DISABLED', 'sync is not enabled on this gate');
    return { result: ctx.sync.status() };
  },

  async 'sync.flush'(_args, ctx) {
    if (!ctx.sync) throw new CliError('SYNC_DISABLED', 'sync is not enabled on this gate');
    const before = ctx.control.journalStore.undeliveredCount();
    await ctx.sync.flush(FLUSH_TIMEOUT_MS);
    const after = ctx.control.journalStore.undeliveredCount();
    return { result: { unsentBefore: before, unsentAfter: after }, journal: { unsent_before: before, unsent_after: after } };
  },

  async logs(args, ctx) {
    const a = parseArgs(z.object({ lines: z.number().int().min(1).max(1000).default(50) }), args);
    if (!ctx.logFile) {
      return { result: { where: 'stdout', hint: 'the gate logs to its standard output: under systemd read it with `journalctl -u egate` (set local.logFile when the output goes to a file)', lines: [] } };
    }
    let lines: string[];
    try {
      lines = tailFile(ctx.logFile, a.lines);
    } catch (err) {
      throw new CliError('LOG_UNREADABLE', `cannot read the log file ${ctx.logFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return { result: { where: ctx.logFile, lines }, journal: { lines: lines.length } };
  },
};
