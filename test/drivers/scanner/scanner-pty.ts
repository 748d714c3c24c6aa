import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A serial scanner's cable, played by socat: the driver opens `port`, the test writes what
 * the scanner would send into the other end. Unlike test/helpers/pty.ts the link paths
 * stay fixed, so the cable can be pulled (socat killed) and put back at the same path.
 */
export class ScannerCable {
  readonly port: string;
  readonly #host: string;
  #proc: ChildProcess | undefined;
  #fh: FileHandle | undefined;

  constructor(dir: string) {
    this.port = join(dir, 'scanner');
    this.#host = join(dir, 'host');
  }

  async plug(): Promise<void> {
    const proc = spawn('socat', [`pty,raw,echo=0,link=${this.port}`, `pty,raw,echo=0,link=${this.#host}`], { stdio: 'ignore' });
    this.#proc = proc;
    const deadline = Date.now() + 5000;
    while (!(existsSync(this.port) && existsSync(this.#host))) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error('socat did not create the pty pair');
      await sleep(10);
    }
    // O_NOCTTY: a test runner without a terminal must not adopt the pty as its controlling tty.
    this.#fh = await open(this.#host, constants.O_WRONLY | constants.O_NOCTTY);
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (!this.#fh) throw new Error('cable unplugged');
    await this.#fh.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async unplug(): Promise<void> {
    await this.#fh?.close().catch(() => {});
    this.#fh = undefined;
    const proc = this.#proc;
    this.#proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(2000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    while (existsSync(this.port)) await sleep(10);
  }
}
