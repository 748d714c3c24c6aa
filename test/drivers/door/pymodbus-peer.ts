import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const SCRIPT = new URL('../../peers/modbus_slave.py', import.meta.url).pathname;

/** Debian's pymodbus 3.0 RTU slave (test/peers/modbus_slave.py) on one end of a pty pair. */
export class PymodbusSlave {
  readonly #proc: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters: ((line: string) => void)[] = [];

  private constructor(proc: ChildProcess) {
    this.#proc = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const w = this.#waiters.shift();
      if (w) w(line);
      else this.#lines.push(line);
    });
  }

  /** `script`: another register map on the same stdin protocol (test/peers/kiosk_slave.py). */
  static async start(device: string, script = SCRIPT): Promise<PymodbusSlave> {
    const proc = spawn('/usr/bin/python3', [script, device], { stdio: ['pipe', 'pipe', 'ignore'] });
    const slave = new PymodbusSlave(proc);
    const first = await Promise.race([slave.#next(), sleep(10_000).then(() => 'timeout')]);
    if (first !== 'ready') {
      await slave.kill();
      throw new Error(`pymodbus slave did not start (${first})`);
    }
    return slave;
  }

  #next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Sends one stdin command (`di 2 1`, `get hr 0`) and returns its answer line. */
  async command(line: string): Promise<string> {
    this.#proc.stdin!.write(line + '\n');
    return this.#next();
  }

  /** SIGKILL: the slave dies mid-run like a crashed controller, the pty stays. */
  async kill(): Promise<void> {
    if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return;
    const exited = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.kill('SIGKILL');
    await exited;
  }
}
