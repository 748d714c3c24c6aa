import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { ArrivalRecordStore } from '../../kiosk/counter/arrival-record.ts';
import { parseConfig } from '../../config/load.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { ArrivalSync, receiveArrivals } from '../../kiosk/counter/arrival-sync.ts';
import { counterProfile, type CounterApp } from '../../kiosk/counter/counter-profile.ts';
import { silentLogger, type Logger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { generateP256, type KeyPair } from '../../kiosk/tokens/cose-key.ts';
import { makePassports } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, waitFor } from '../sync/broker.ts';
import { StoreHost } from '../sync/host.ts';

/**
 * Arrival records over the seat's real sync link (ArrivalSync directly, then the counter profile's attachSync) and a real mosquitto: a central subscriber
 * holding the arrival private key opens them and signs a receipt with the central command key;
 * the counter then deletes them. A receipt signed by another key deletes nothing. Everything
 * on the broker is ciphertext: no portrait, no facts in clear.
 */
interface Ctx {
  dir: string;
  broker: Broker;
  command: KeyPair;
  arrival: KeyPair;
  host: StoreHost;
  h: SyncHandle;
  store: ArrivalRecordStore;
  central: MqttClient;
  /** Every payload seen under egate/v1/#. */
  seen: Buffer[];
  /** Records central opened. */
  opened: { arrival: string; portrait: Uint8Array; decision: string }[];
  /** The key central signs receipts with (the wrong one in the forgery test). */
  signer: KeyPair;
  sync: ArrivalSync;
  rounds: boolean[];
}

const t = peerSuite<Ctx>('counter arrival records over sync: sealed on the broker, deleted on central\'s signed receipt', ['mosquitto', 'openssl', 'ffmpeg']);
const clock = new SystemClock();
// a JPEG-looking portrait with a recognisable run of bytes to look for on the broker
const PORTRAIT = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('PORTRAIT-PIXELS-OF-THE-VISITOR'), 0xff, 0xd9]);

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-arrival-sync-'));
  ctx.broker = await Broker.start();
  ctx.command = generateP256();
  ctx.arrival = generateP256();
  ctx.signer = ctx.command;
  mkdirSync(join(ctx.dir, 'keys'), { recursive: true });
  writeFileSync(join(ctx.dir, 'keys/central.pub.pem'), ctx.command.publicKey.export({ type: 'spki', format: 'pem' }));
  ctx.host = new StoreHost(ctx.dir, clock, { url: ctx.broker.url }, 'CTR-01');
  ctx.store = new ArrivalRecordStore({ path: join(ctx.dir, 'arrivals.db'), keyPath: join(ctx.dir, 'arrivals.key'), lifeMs: 3600_000 });
  ctx.seen = [];
  ctx.opened = [];
  ctx.rounds = [];
  const topics = { arrivals: 'egate/v1/TST/CTR-01/arrivals', ack: 'egate/v1/TST/CTR-01/arrivals/ack' };
  ctx.central = await mqtt.connectAsync(ctx.broker.url, { protocolVersion: 5, clientId: 'central-arrivals-test' });
  ctx.central.on('message', (topic, payload) => {
    ctx.seen.push(Buffer.from(payload));
    if (topic !== topics.arrivals) return;
    const { records, receipt } = receiveArrivals(new Uint8Array(payload), ctx.arrival.privateKey, ctx.signer.privateKey);
    for (const r of records) ctx.opened.push({ arrival: r.arrival, portrait: r.portrait, decision: r.facts.decision });
    void ctx.central.publishAsync(topics.ack, Buffer.from(receipt), { qos: 1 });
  });
  await ctx.central.subscribeAsync('egate/v1/#', { qos: 1 });
  ctx.h = await startSync(ctx.host, { clock, log: silentLogger() });
  await waitFor('connected', () => ctx.h.status().connected);
  // the log line of each round tells the test when central's receipt was judged (no sleeps)
  const log = {
    info: (o: { acknowledged?: boolean }) => void (typeof o?.acknowledged === 'boolean' && ctx.rounds.push(o.acknowledged)),
    warn: () => {},
    error: () => {},
    debug: () => {},
    child: () => log,
  } as unknown as Logger;
  ctx.sync = new ArrivalSync({ link: ctx.h.sync.link, topics: ctx.h.sync.topics, store: ctx.store, gate: 'CTR-01', arrivalKey: ctx.arrival.publicKey, ackKey: ctx.command.publicKey, clock, log, intervalMs: 60_000, ackTimeoutMs: 3000 });
});

t.after.each(async (ctx) => {
  ctx.sync?.stop();
  await ctx.h?.stop();
  await ctx.central?.endAsync();
  ctx.store?.close();
  ctx.host?.close();
  await ctx.broker?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

const put = (ctx: Ctx, arrival: string, decision: 'accept' | 'refer'): void => ctx.store.put(arrival, PORTRAIT, { decision, officer: 'OFF-12', match_score: 0.61, liveness_score: 0.97, quality: 70 }, clock.now());

t('central opens the records with the arrival key and acknowledges; the counter deletes them; the broker saw only ciphertext', async (ctx) => {
  put(ctx, 'ARR-one', 'accept');
  put(ctx, 'ARR-two', 'refer');
  ctx.sync.start();
  await waitFor('the records handed over and deleted', () => ctx.store.live(clock.now()).length === 0, 20_000);
  assert.equal(ctx.opened.map((o) => o.arrival).sort(), ['ARR-one', 'ARR-two']);
  assert.equal(Array.from(ctx.opened[0]!.portrait), Array.from(PORTRAIT));
  assert.equal(ctx.opened.map((o) => o.decision).sort(), ['accept', 'refer']);
  assert.equal(ctx.rounds, [true]);
  const wire = Buffer.concat(ctx.seen);
  for (const secret of ['PORTRAIT-PIXELS', Buffer.from(PORTRAIT).toString('base64').slice(4, 28), 'OFF-12', 'match_score']) assert.not.ok(wire.includes(Buffer.from(secret)), `visible on the broker: ${secret}`);
  // a record made later goes on the next kick
  put(ctx, 'ARR-three', 'accept');
  ctx.sync.kick();
  await waitFor('the third record', () => ctx.store.live(clock.now()).length === 0, 20_000);
  assert.is(ctx.opened.length, 3);
});

t('a receipt not signed by the central command key deletes nothing; the records go again once central signs', async (ctx) => {
  ctx.signer = generateP256();
  put(ctx, 'ARR-kept', 'accept');
  ctx.sync.start();
  await waitFor('the round to end without a valid receipt', () => ctx.rounds.length === 1, 20_000);
  assert.equal(ctx.rounds, [false]);
  assert.is(ctx.opened.length, 1, 'central did receive it');
  assert.is(ctx.store.live(clock.now()).length, 1, 'still at the counter');
  ctx.signer = ctx.command;
  ctx.sync.kick();
  await waitFor('deleted after the signed receipt', () => ctx.store.live(clock.now()).length === 0, 20_000);
  assert.equal(ctx.rounds, [false, true]);
});

t('the counter profile hands its records over the seat\'s sync link once the seat attaches it', async (ctx) => {
  const keys = join(ctx.dir, 'keys');
  writeFileSync(join(keys, 'arrivals.pub.pem'), ctx.arrival.publicKey.export({ type: 'spki', format: 'pem' }));
  // the counter's document check needs a CSCA to start (no passport is read here)
  const { pki } = await makePassports(join(ctx.dir, 'passports'), { kinds: ['valid'], photo: new URL('../../fixtures/faces/person01-2.jpg', import.meta.url).pathname });
  const config = parseConfig({
    gate: 'CTR-01',
    profile: 'counter',
    dataDir: join(ctx.dir, 'counter'),
    passport: { chipReader: 'simulated', mrzReader: { kind: 'simulated' }, cscaPaths: [pki.cscaPem], crlPaths: [pki.crlPem] },
    counter: { arrivalStorePath: join(ctx.dir, 'counter-arrivals.db'), arrivalKeyPath: join(ctx.dir, 'counter-arrivals.key'), centralArrivalKeyPath: join(keys, 'arrivals.pub.pem'), officerCredentialsPath: join(ctx.dir, 'officers.json') },
    sync: { centralKeyPath: join(keys, 'central.pub.pem') },
  });
  const app = (await counterProfile.build({
    config,
    clock,
    log: silentLogger(),
    journal: () => {},
    pseudonym: (v) => v.slice(0, 4),
    references: undefined as never,
    engine: {} as FaceEngine,
    camera: {} as Camera,
    scanners: [],
  })) as CounterApp;
  // a record the station sealed before the link was attached (another handle on the same store)
  const store = new ArrivalRecordStore({ path: config.counter.arrivalStorePath, keyPath: config.counter.arrivalKeyPath, lifeMs: 3600_000 });
  store.put('ARR-profile', PORTRAIT, { decision: 'accept', officer: 'OFF-12', match_score: 0.6, liveness_score: 0.9, quality: 70 }, clock.now());
  try {
    app.attachSync(ctx.h);
    await waitFor('the profile to hand the record over', () => store.live(clock.now()).length === 0, 20_000);
    assert.equal(ctx.opened.map((o) => o.arrival), ['ARR-profile']);
  } finally {
    await app.stop();
    store.close();
  }
});

t.run();
