import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../log.ts';

/**
 * Log lines a person reads on a terminal: `12:00:03.123 WARN  door: command failed  code=DOOR_TIMEOUT`.
 * Formatting happens after pino has serialised and redacted the entry, so it shows exactly
 * what the JSON would have held. journald and pipes keep JSON (one object per line).
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31;1m', 20: '\x1b[2m', 10: '\x1b[2m' };
const HIDDEN = new Set(['level', 'time', 'app', 'pid', 'hostname', 'msg', 'part']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

export function prettyLine(json: string, colour = false): string {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const level = Number(e.level ?? 30);
  const t = typeof e.time === 'number' ? new Date(e.time).toISOString().slice(11, 23) : '';
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const tag = colour && COLOURS[level] ? `${COLOURS[level]}${name}\x1b[0m` : name;
  const part = e.part !== undefined ? `${String(e.part)}: ` : '';
  const fields = Object.entries(e)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  return `${t} ${tag} ${part}${String(e.msg ?? '')}${fields ? `  ${fields}` : ''}`;
}

export function prettyDestination(out: NodeJS.WritableStream, colour: boolean): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) out.write(prettyLine(line, colour) + '\n');
    },
  };
}

/** json for journald and pipes, pretty on a terminal; EGATE_LOG_FORMAT=json|pretty decides otherwise. */
export function logFormat(env: NodeJS.ProcessEnv, isTty: boolean): 'json' | 'pretty' | 'journald' {
  if (env.EGATE_LOG_FORMAT === 'json' || env.EGATE_LOG_FORMAT === 'pretty') return env.EGATE_LOG_FORMAT;
  if (env.JOURNAL_STREAM) return 'journald';
  return isTty ? 'pretty' : 'json';
}

/** The gate's logger (same redaction) as readable lines on `out`. */
export function createPrettyLogger(options: { level?: string; out?: NodeJS.WritableStream & { isTTY?: boolean } } = {}): Logger {
  const out = options.out ?? process.stdout;
  return createLogger({ ...(options.level ? { level: options.level } : {}), destination: prettyDestination(out, out.isTTY === true && !process.env.NO_COLOR) as NodeJS.WritableStream });
}
