import type { CrossingResult } from './world.ts';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export interface DemoReport {
  crossings: { traveller: string; expected: string; outcome: string; reason: string; ms: number; overhead_ms: number }[];
  summary: {
    count: number;
    by_outcome: Record<string, number>;
    mismatches: number;
    crossing_ms: { p50: number; p95: number };
    overhead_ms: { p50: number; p95: number };
  };
}

export function report(results: CrossingResult[]): DemoReport {
  const by: Record<string, number> = {};
  for (const r of results) by[r.outcome] = (by[r.outcome] ?? 0) + 1;
  const ms = results.map((r) => r.ms);
  const over = results.map((r) => r.overhead_ms);
  return {
    crossings: results.map(({ traveller, expected, outcome, reason, ms: m, overhead_ms }) => ({ traveller, expected, outcome, reason, ms: m, overhead_ms })),
    summary: {
      count: results.length,
      by_outcome: by,
      mismatches: results.filter((r) => r.outcome !== r.expected).length,
      crossing_ms: { p50: percentile(ms, 50), p95: percentile(ms, 95) },
      overhead_ms: { p50: percentile(over, 50), p95: percentile(over, 95) },
    },
  };
}

const COLUMNS = (n: string, who: string, what: string, outcome: string, reason: string, ms: string, ctl: string, check: string): string =>
  `${n.padStart(3)} ${who.padEnd(14)} ${what.padEnd(24)} ${outcome.padEnd(18)} ${reason.padEnd(20)} ${ms.padStart(9)}  ${ctl.padStart(10)}  ${check}`;

/** The column names above the first crossing line. */
export function tableHeader(): string {
  return COLUMNS('#', 'traveller', 'token/behaviour', 'outcome', 'reason', 'crossing', 'controller', 'check');
}

/**
 * One crossing; a MISMATCH says what the scenario expected, what the gate did and the device
 * faults journalled during the crossing (the usual cause of an unexpected ABORTED_FAULT).
 */
export function crossingLine(i: number, r: CrossingResult, token: string, behaviour: string, faults: string[] = []): string {
  const check =
    r.outcome === r.expected
      ? 'ok'
      : `MISMATCH: expected ${r.expected}, the gate decided ${r.outcome}/${r.reason || '-'}` +
        (faults.length ? `; device fault during the crossing: ${[...new Set(faults)].join(', ')}` : '; no device fault');
  return COLUMNS(String(i), r.traveller, `${token}/${behaviour}`, r.outcome, r.reason, `${r.ms} ms`, `${r.overhead_ms} ms`, check);
}

export function summaryTable(rep: DemoReport): string {
  const s = rep.summary;
  const lines = [
    '',
    `crossings: ${s.count}   mismatches: ${s.mismatches}`,
    `by outcome: ${Object.entries(s.by_outcome).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `crossing time      p50 ${s.crossing_ms.p50} ms   p95 ${s.crossing_ms.p95} ms   (walking and door travel included)`,
    `controller's time  p50 ${s.overhead_ms.p50} ms   p95 ${s.overhead_ms.p95} ms   (token check + face decision)`,
  ];
  return lines.join('\n');
}
