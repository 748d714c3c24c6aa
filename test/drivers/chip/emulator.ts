import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * pcscd in the foreground with vsmartcard's vpcd, and vicc (through scripts/vicc-epass.py)
 * as the passport in the virtual reader. Only one pcscd can run per machine, so the chip
 * emulator tests run serially. Every process started here is stopped by stop().
 */
export const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const VPCD_READER = 'Virtual PCD 00 00';
const LAUNCHER = fileURLToPath(new URL('../../../scripts/vicc-epass.py', import.meta.url));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, ms: number, test: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** pcscd answers a client (pcsc_scan -r) and lists the virtual reader. */
function readerListed(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('/usr/bin/pcsc_scan', ['-r'], { timeout: 5000 }, (_err, stdout) => resolve(String(stdout).includes(VPCD_READER)));
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export class ChipEmulator {
  #pcscd: ChildProcess | undefined;
  #vicc: ChildProcess | undefined;

  /** `launcher`: the vicc card OS to run (the smart-ID card tests use scripts/vicc-hkid.py). */
  constructor(private readonly launcher = LAUNCHER) {}

  /**
   * Starts pcscd (foreground) and waits until vpcd listens for vicc and pcscd answers its
   * clients with the virtual reader listed: a PC/SC client that starts before that never
   * sees the reader. The bounds are only deadlines for a loaded machine.
   */
  async start(): Promise<void> {
    if (await portOpen(35963)) throw new Error('a pcscd with vpcd is already running on this machine; chip tests need their own');
    this.#pcscd = spawn('pcscd', ['--foreground'], { stdio: 'ignore' });
    await waitFor('vpcd on port 35963', 30_000, () => portOpen(35963));
    if (existsSync('/usr/bin/pcsc_scan')) await waitFor(`pcscd to list ${VPCD_READER}`, 30_000, readerListed);
  }

  /** Puts a passport (a make-passport directory) in the virtual reader. */
  async insert(dir: string, extraArgs: string[] = []): Promise<void> {
    await this.remove();
    const vicc = spawn('/usr/bin/python3', [this.launcher, '--dir', dir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#vicc = vicc;
    let err = '';
    vicc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      vicc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      vicc.once('exit', (code) => reject(new Error(`vicc exited (${code}): ${err.slice(-400)}`)));
    });
  }

  /** Takes the passport out (vicc stops; the reader sees the card leave). */
  async remove(): Promise<void> {
    const v = this.#vicc;
    this.#vicc = undefined;
    await stopChild(v);
  }

  async stop(): Promise<void> {
    await this.remove();
    await stopChild(this.#pcscd);
    this.#pcscd = undefined;
  }
}
