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

export function crossingLine(i: number, r: CrossingResult, token: string, behaviour: string): string {
  const ok = r.outcome === r.expected ? 'ok ' : 'MISMATCH';
  return `${String(i).padStart(3)} ${r.traveller.padEnd(14)} ${`${token}/${behaviour}`.padEnd(24)} ${r.outcome.padEnd(18)} ${r.reason.padEnd(20)} ${String(r.ms).padStart(6)} ms  controller ${String(r.overhead_ms).padStart(4)} ms  ${ok}${r.outcome === r.expected ? '' : ` (expected ${r.expected})`}`;
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
