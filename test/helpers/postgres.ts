import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../sync/broker.ts';

/** Debian's PostgreSQL binaries (postgresql-15 today; the newest installed major wins). */
export function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

/** Peer name for requirePeers: the absolute pg_ctl path (or a name that cannot exist). */
export const PG_CTL = join(pgBinDir() ?? '/usr/lib/postgresql/missing/bin', 'pg_ctl');

/**
 * A throw-away PostgreSQL cluster: initdb in a temp dir, its own loopback port and unix
 * socket directory, trust authentication, fsync off (a test cluster holds nothing worth a
 * power cut). PostgreSQL refuses to run as root, so as root the cluster belongs to the
 * `postgres` system user and its tools run through runuser.
 */
export class PgCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'egate-pg-'));
  readonly port: number;
  readonly #bin: string;
  readonly #asRoot = process.getuid?.() === 0;

  private constructor(port: number, bin: string) {
    this.port = port;
    this.#bin = bin;
  }

  static async start(opts: { fsync?: boolean; sharedBuffers?: string } = {}): Promise<PgCluster> {
    const bin = pgBinDir();
    if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
    const c = new PgCluster(await freePort(), bin);
    if (c.#asRoot) {
      const id = execFileSync('id', ['-u', 'postgres']).toString().trim();
      const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
      chownSync(c.dir, Number(id), Number(gid));
    }
    c.#run('initdb', ['-D', c.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const conf = [
      `port = ${c.port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${c.dir}'`,
      `fsync = ${opts.fsync ? 'on' : 'off'}`,
      `synchronous_commit = ${opts.fsync ? 'on' : 'off'}`,
      'full_page_writes = off',
      `shared_buffers = ${opts.sharedBuffers ?? '128MB'}`,
      'max_connections = 50',
      "log_min_messages = 'warning'",
    ];
    writeFileSync(join(c.data, 'postgresql.auto.conf'), conf.join('\n') + '\n');
    if (c.#asRoot) c.#run('chown', ['postgres:postgres', join(c.data, 'postgresql.auto.conf')], true);
    const p = spawn(c.#asRoot ? 'runuser' : join(bin, 'pg_ctl'), [...(c.#asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), '-D', c.data, '-l', join(c.dir, 'server.log'), '-w', 'start'], { stdio: 'ignore' });
    const code = await new Promise<number | null>((r) => p.once('exit', r));
    if (code !== 0) throw new Error(`pg_ctl start exited ${code}`);
    await waitFor('PostgreSQL to accept connections', () => {
      try {
        execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(c.port)], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    }, 30_000);
    return c;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  /** Connection string for the `pg` client (database `postgres`, user `postgres`). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async stop(): Promise<void> {
    try {
      this.#run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  #run(tool: string, args: string[], plain = false): void {
    const exe = plain ? tool : join(this.#bin, tool);
    if (this.#asRoot && !plain) execFileSync('runuser', ['-u', 'postgres', '--', exe, ...args], { stdio: 'ignore', cwd: '/' });
    else execFileSync(exe, args, { stdio: 'ignore', cwd: '/' });
  }
}
