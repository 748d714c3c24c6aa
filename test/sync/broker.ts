import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * A real mosquitto on a loopback port with its own config file in a temp dir. `kill()`
 * and `start()` again on the same port simulate a broker outage.
 */
export class Broker {
  readonly dir = mkdtempSync(join(tmpdir(), 'egate-mqtt-'));
  readonly port: number;
  #proc: ChildProcess | undefined;
  log = '';

  private constructor(port: number, extra: string[]) {
    this.port = port;
    const conf = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', ...extra, ''];
    writeFileSync(join(this.dir, 'mosquitto.conf'), conf.join('\n'));
  }

  /** `extra`: more mosquitto.conf lines (e.g. `message_size_limit 2000`). */
  static async start(extra: string[] = []): Promise<Broker> {
    const b = new Broker(await freePort(), extra);
    await b.start();
    return b;
  }

  /** A broker on a port chosen beforehand (a gate that was configured for it before it came up). */
  static async startOn(port: number, extra: string[] = []): Promise<Broker> {
    const b = new Broker(port, extra);
    await b.start();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const p = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.#proc = p;
    await waitFor('mosquitto to listen', () => portOpen(this.port));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.#proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await gone;
    this.#proc = undefined;
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * mosquitto_sub as an independent consumer of `egate/v1/#` (QoS 1, MQTT 5), one line per
 * message: topic, a space, the payload. Ready once it has seen its own probe message.
 */
export class Subscriber {
  readonly lines: string[] = [];
  #proc: ChildProcess;
  #buf = '';

  private constructor(port: number, topic: string, extra: string[]) {
    this.#proc = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv5', '-q', '1', '-v', '-t', topic, '-t', 'egate/probe', ...extra], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.#proc.stdout?.on('data', (d: Buffer) => {
      this.#buf += d.toString();
      let i;
      while ((i = this.#buf.indexOf('\n')) >= 0) {
        this.lines.push(this.#buf.slice(0, i));
        this.#buf = this.#buf.slice(i + 1);
      }
    });
  }

  static async start(port: number, topic = 'egate/v1/#', extra: string[] = []): Promise<Subscriber> {
    const s = new Subscriber(port, topic, extra);
    await s.probe(port);
    return s;
  }

  /** Publishes a probe with mosquitto_pub until this subscriber prints it (it is subscribed). */
  async probe(port: number): Promise<void> {
    const tag = `probe-${Math.random().toString(36).slice(2)}`;
    await waitFor('subscriber to receive its probe', async () => {
      await pub(port, 'egate/probe', tag).catch(() => {});
      await sleep(100);
      return this.lines.some((l) => l === `egate/probe ${tag}`);
    });
  }

  /** Payloads of messages on `topic`, parsed as JSON. */
  messages<T>(topic: string): T[] {
    return this.lines.filter((l) => l.startsWith(topic + ' ')).map((l) => JSON.parse(l.slice(topic.length + 1)) as T);
  }

  async close(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    const gone = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.kill('SIGTERM');
    await gone;
  }
}

/** mosquitto_pub of one message (QoS 1); binary payloads go through stdin. */
export async function pub(port: number, topic: string, payload: string | Uint8Array, extra: string[] = []): Promise<void> {
  const binary = typeof payload !== 'string';
  const args = ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv5', '-q', '1', '-t', topic, ...extra, ...(binary ? ['-s'] : ['-m', payload])];
  const p = spawn('mosquitto_pub', args, { stdio: [binary ? 'pipe' : 'ignore', 'ignore', 'ignore'] });
  if (binary) p.stdin?.end(Buffer.from(payload));
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  if (code !== 0) throw new Error(`mosquitto_pub exited ${code}`);
}
