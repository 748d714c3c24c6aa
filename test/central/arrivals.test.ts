import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import * as assert from 'uvu/assert';
import { purge } from '../../central/db/schema.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { ArrivalRecordStore } from '../../kiosk/counter/arrival-record.ts';
import { ArrivalSync } from '../../kiosk/counter/arrival-sync.ts';
import { silentLogger, type Logger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { generateP256 } from '../../kiosk/tokens/cose-key.ts';
import { peerSuite } from '../helpers/suite.ts';
import { waitFor } from '../sync/broker.ts';
import { StoreHost } from '../sync/host.ts';
import { CentralWorld, PG_CTL } from './world.ts';

/**
 * Issue 15 §4 end to end: a counter's real ArrivalSync on a real sync link hands its sealed
 * arrival records through mosquitto to a running central ingest, which stores them still
 * sealed in PostgreSQL and sends the receipt signed with the central command key; the counter
 * then deletes them. A repeated batch stores nothing twice; a batch that does not verify is
 * refused with an alarm and no receipt, and the counter keeps its records.
 */
interface Ctx {
  w: CentralWorld;
  host: StoreHost;
  h: SyncHandle;
  arrivalPublic: ReturnType<typeof generateKeyPairSync>['publicKey'];
  commandPublic: ReturnType<typeof generateKeyPairSync>['publicKey'];
  spy: MqttClient;
  /** Payloads seen on the counter's arrivals and arrivals/ack topics. */
  batches: Buffer[];
  acks: Buffer[];
  syncs: ArrivalSync[];
  stores: ArrivalRecordStore[];
}

const t = peerSuite<Ctx>('central: counter arrival records collected, stored sealed, acknowledged', ['mosquitto', PG_CTL]);
const clock = new SystemClock();
const TOPIC = 'egate/v1/TST/CTR-01/arrivals';
const PORTRAIT = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('PORTRAIT-PIXELS-OF-THE-VISITOR'), 0xff, 0xd9]);

t.before(async (ctx) => {
  ctx.w = await CentralWorld.start();
  const arrival = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPath = join(ctx.w.dir, 'keys/arrivals.key.pem');
  writeFileSync(keyPath, arrival.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  ctx.arrivalPublic = arrival.publicKey;
  await ctx.w.ingest({ arrivals: { privateKeyPath: keyPath } });
  const { createPublicKey } = await import('node:crypto');
  ctx.commandPublic = createPublicKey(ctx.w.centralPublicPem);
  const dir = join(ctx.w.dir, 'counter');
  mkdirSync(join(dir, 'keys'), { recursive: true });
  writeFileSync(join(dir, 'keys/central.pub.pem'), ctx.w.centralPublicPem);
  ctx.host = new StoreHost(dir, clock, { url: ctx.w.broker.url }, 'CTR-01');
  ctx.h = await startSync(ctx.host, { clock, log: silentLogger() });
  await waitFor('counter connected', () => ctx.h.status().connected, 30_000);
  ctx.batches = [];
  ctx.acks = [];
  ctx.syncs = [];
  ctx.stores = [];
  ctx.spy = await mqtt.connectAsync(ctx.w.broker.url, { protocolVersion: 5, clientId: 'arrivals-spy' });
  ctx.spy.on('message', (topic, payload) => (topic === TOPIC ? ctx.batches : ctx.acks).push(Buffer.from(payload)));
  await ctx.spy.subscribeAsync(`${TOPIC}/#`, { qos: 1 });
});

t.after(async (ctx) => {
  for (const s of ctx.syncs ?? []) s.stop();
  await ctx.h?.stop();
  await ctx.spy?.endAsync();
  for (const s of ctx.stores ?? []) s.close();
  ctx.host?.close();
  await ctx.w?.close();
});

/** A counter's store and ArrivalSync on the shared sync link; `rounds` gets each round's acknowledged flag (from its log line: no sleeps). */
function counter(ctx: Ctx, name: string, arrivalKey = ctx.arrivalPublic, ackTimeoutMs = 60_000): { store: ArrivalRecordStore; sync: ArrivalSync; rounds: boolean[] } {
  const store = new ArrivalRecordStore({ path: join(ctx.w.dir, `${name}.db`), keyPath: join(ctx.w.dir, `${name}.key`), lifeMs: 3600_000 });
  const rounds: boolean[] = [];
  const log = {
    info: (o: { acknowledged?: boolean }) => void (typeof o?.acknowledged === 'boolean' && rounds.push(o.acknowledged)),
    warn: () => {},
    error: () => {},
    debug: () => {},
    child: () => log,
  } as unknown as Logger;
  const sync = new ArrivalSync({ link: ctx.h.sync.link, topics: ctx.h.sync.topics, store, gate: 'CTR-01', arrivalKey, ackKey: ctx.commandPublic, clock, log, intervalMs: 600_000, ackTimeoutMs });
  ctx.syncs.push(sync);
  ctx.stores.push(store);
  return { store, sync, rounds };
}

const put = (store: ArrivalRecordStore, arrival: string): void => store.put(arrival, PORTRAIT, { decision: 'accept', officer: 'OFF-12', match_score: 0.61, liveness_score: 0.97, quality: 70 }, clock.now());
const rows = async (ctx: Ctx): Promise<{ arrival: string; gate: string; site: string; sealed: Buffer; expires_at: Date | null }[]> =>
  (await ctx.w.pool.query('SELECT arrival, gate, site, sealed, expires_at FROM arrival_records ORDER BY arrival')).rows;
const alarms = async (ctx: Ctx): Promise<string[]> => (await ctx.w.pool.query<{ code: string }>("SELECT code FROM alarms WHERE gate = 'CTR-01' ORDER BY id")).rows.map((r) => r.code);

t('central stores the records sealed and acknowledges; the counter deletes them', async (ctx) => {
  const c = counter(ctx, 'good');
  put(c.store, 'ARR-one');
  put(c.store, 'ARR-two');
  c.sync.start();
  await waitFor('records handed over and deleted', () => c.store.live(clock.now()).length === 0, 60_000);
  assert.equal(c.rounds, [true]);
  const r = await rows(ctx);
  assert.equal(r.map((x) => x.arrival), ['ARR-one', 'ARR-two']);
  assert.equal([...new Set(r.map((x) => `${x.site}/${x.gate}`))], ['TST/CTR-01']);
  for (const x of r) {
    assert.ok(x.expires_at && Math.abs(x.expires_at.getTime() - (clock.now() + 3600_000)) < 600_000, 'expiry kept');
    for (const secret of [Buffer.from('PORTRAIT-PIXELS'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(Buffer.from(PORTRAIT).toString('base64').slice(4, 28)), Buffer.from('OFF-12')]) {
      assert.not.ok(x.sealed.includes(secret), `readable in the database: ${secret.toString('hex')}`);
    }
  }
  // exactly what the counter sent: the row is the sealed record as received
  const sent = JSON.parse(ctx.batches[0]!.toString('utf8')) as { arrivals: { arrival: string; sealed: string }[] };
  for (const a of sent.arrivals) assert.is(r.find((x) => x.arrival === a.arrival)!.sealed.toString('base64'), a.sealed);
  const dump = (await ctx.w.pool.query<{ t: string }>('SELECT string_agg(row_to_json(a)::text, \',\') AS t FROM arrival_records a')).rows[0]!.t;
  assert.not.ok(dump.includes('PORTRAIT-PIXELS') || dump.includes('OFF-12'));
});

t('a batch delivered again stores nothing twice and is acknowledged again', async (ctx) => {
  const acks = ctx.acks.length;
  await ctx.spy.publishAsync(TOPIC, ctx.batches[0]!, { qos: 1 });
  await waitFor('a second receipt', () => ctx.acks.length > acks, 60_000);
  assert.equal((await rows(ctx)).map((x) => x.arrival), ['ARR-one', 'ARR-two']);
});

t('a batch that does not verify is refused with an alarm, no receipt, and the counter keeps its record', async (ctx) => {
  const acks = ctx.acks.length;
  // sealed to a key that is not central's arrival key: central cannot open it
  const c = counter(ctx, 'forged', generateP256().publicKey, 3000);
  put(c.store, 'ARR-forged');
  c.sync.start();
  await waitFor('the alarm', async () => (await alarms(ctx)).includes('ARRIVAL_TAMPERED'), 60_000);
  await waitFor('the round to end unacknowledged', () => c.rounds.length === 1, 60_000);
  assert.equal(c.rounds, [false]);
  assert.is(ctx.acks.length, acks, 'no receipt');
  assert.is(c.store.live(clock.now()).length, 1, 'still at the counter');
  assert.equal((await rows(ctx)).map((x) => x.arrival), ['ARR-one', 'ARR-two']);
  c.sync.stop();
});

t('retention: the purge deletes records past their expiry', async (ctx) => {
  await purge(ctx.w.pool, new Date(), 90, 400);
  assert.is((await rows(ctx)).length, 2, 'not yet expired');
  await purge(ctx.w.pool, new Date(clock.now() + 2 * 3600_000), 90, 400);
  assert.is((await rows(ctx)).length, 0);
});

t.run();
