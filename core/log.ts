import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that may carry traveller data. They are censored in every log line, whatever part
 * logged them, so a careless `log.info({ token })` cannot leak a credential or a face.
 */
export const REDACTED_PATHS = [
  'token', '*.token', 'qr', '*.qr', 'text', '*.text', 'sub', '*.sub', 'documentNumber', '*.documentNumber',
  'image', '*.image', 'frame', '*.frame', 'template', '*.template', 'embedding', '*.embedding',
  'photo', '*.photo', 'mrz', '*.mrz', 'name', '*.name', 'pin', '*.pin', 'secret', '*.secret', 'key', '*.key',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.EGATE_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'egate' },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing: for tools and tests that do not want log noise. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
