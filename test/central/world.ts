import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { parseCentralConfig, type CentralConfig } from '../../central/config.ts';
import { openPool, type Pool } from '../../central/db/pool.ts';
import { IngestService } from '../../central/ingest/service.ts';
import { createLogger, silentLogger } from '../../kiosk/log.ts';
import { PgCluster } from '../helpers/postgres.ts';
import { Broker } from '../sync/broker.ts';

/** Peers every central test starts: mosquitto, its clients, and PostgreSQL's pg_ctl. */
export { PG_CTL } from '../helpers/postgres.ts';

/** A broker, a PostgreSQL cluster, the central key and a config for one central instance. */
export class CentralWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'egate-central-'));
  broker!: Broker;
  pg!: PgCluster;
  pool!: Pool;
  centralPublicPem = '';
  readonly ingests: IngestService[] = [];

  static async start(): Promise<CentralWorld> {
    const w = new CentralWorld();
    [w.broker, w.pg] = await Promise.all([Broker.start(), PgCluster.start()]);
    w.pool = openPool(w.pg.url, 4);
    mkdirSync(join(w.dir, 'keys'), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(w.dir, 'keys/central.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    w.centralPublicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    return w;
  }

  config(over: Record<string, unknown> = {}): CentralConfig {
    return parseCentralConfig({
      mqtt: { url: this.broker.url },
      db: { url: this.pg.url },
      gapGraceMs: 800,
      console: { port: 0, usersPath: join(this.dir, 'users.json') },
      commands: { keyPath: join(this.dir, 'keys/central.key.pem') },
      ...over,
    });
  }

  async ingest(over: Record<string, unknown> = {}): Promise<IngestService> {
    const s = new IngestService(this.config(over), this.pool, process.env.CENTRAL_DEBUG ? createLogger({ level: 'debug' }) : silentLogger());
    await s.start();
    this.ingests.push(s);
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.ingests) await s.stop().catch(() => {});
    await this.pool?.end().catch(() => {});
    await this.broker?.close();
    await this.pg?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
