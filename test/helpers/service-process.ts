import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A seat started as systemd starts it (kiosk/service/run.ts with a config file), for tests
 * that check the real service: its display on a free port, JSON logs at info level (the
 * runner silences logs with EGATE_LOG_LEVEL=silent; these tests read 'service ready').
 */
const ROOT = new URL('../../', import.meta.url).pathname;

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  /** Every line the service printed (stderr prefixed), for failure messages. */
  seen: string[];
  /** The first JSON log line satisfying `pred`; rejects when the service exits first. */
  waitForLog(pred: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startService(configFile: string): Promise<ServiceProcess> {
  const port = await freePort();
  const seen: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}kiosk/service/run.ts`, configFile], {
    cwd: ROOT,
    env: { ...process.env, EGATE_DISPLAY_PORT: String(port), EGATE_DISPLAY_HOST: '127.0.0.1', EGATE_LOG_FORMAT: 'json', EGATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => seen.push(`stderr: ${d.toString().trim()}`));
  const waitForLog = (pred: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      let buf = '';
      const onData = (d: Buffer): void => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          seen.push(line);
          try {
            const j = JSON.parse(line) as Record<string, unknown>;
            if (pred(j)) {
              child.stdout!.off('data', onData);
              resolve(j);
              return;
            }
          } catch {
            // not a log line
          }
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`service exited ${code} before the line:\n${seen.join('\n')}`)));
    });
  const stop = (): Promise<number | null> => {
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  };
  return { child, port, seen, waitForLog, stop };
}
