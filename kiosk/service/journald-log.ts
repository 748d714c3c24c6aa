import { pino, type DestinationStream } from 'pino';
import { createLogger, type Logger } from '../log.ts';

/**
 * pino level → syslog priority. journald reads a "<N>" prefix on each stdout line of a
 * service (SyslogLevelPrefix=yes, the default) as the entry's PRIORITY, so `journalctl -p
 * warning` works on the gate's JSON lines without a native journald binding.
 */
export function journaldPriority(level: number): number {
  if (level >= 60) return 2; // fatal → crit
  if (level >= 50) return 3; // error → err
  if (level >= 40) return 4; // warn → warning
  if (level >= 30) return 6; // info → info
  return 7; // debug, trace → debug
}

const LEVEL = /"level":(\d+)/;

/** A pino destination that prefixes each JSON line with its journald priority. */
export function journaldDestination(out: DestinationStream = pino.destination({ fd: 1, sync: false })): DestinationStream {
  return {
    write(line: string) {
      const level = Number(LEVEL.exec(line)?.[1] ?? 30);
      out.write(`<${journaldPriority(level)}>${line}`);
    },
  };
}

/** The gate's logger (same redaction) writing journald-prefixed lines to stdout. */
export function createJournaldLogger(options: { level?: string; out?: DestinationStream } = {}): Logger {
  return createLogger({ ...(options.level ? { level: options.level } : {}), destination: journaldDestination(options.out) as NodeJS.WritableStream });
}
