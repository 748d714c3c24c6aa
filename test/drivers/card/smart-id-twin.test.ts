import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCardImage } from '../../../drivers/card/card-image.ts';
import { SimulatedCardReader } from '../../../drivers/card/twin.ts';
import { Deduper } from '../../../drivers/scanner/dedupe.ts';
import { silentLogger } from '../../../core/log.ts';
import { makeCards } from '../../../scripts/make-card.ts';
import { makeRig } from '../../tokens/fixture.ts';
import { cardContract, nextRead, type CardHarness } from './smart-id-contract.ts';

type Ctx = CardHarness & { dir: string; close(): void };
const t = suite<Ctx>('smart-ID card: the simulated twin against the card contract', {} as Ctx);

t.before(async (ctx) => {
  const rig = makeRig();
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-card-twin-'));
  ctx.cards = await makeCards(ctx.dir, rig.world);
  ctx.verifier = rig.verifier;
  ctx.timings = [];
  // dedupe 0: the contract presents the same card again on purpose.
  const reader = new SimulatedCardReader({ name: 'sim-card' }, { clock: rig.clock, log: silentLogger(), dedupe: new Deduper(0, rig.clock), maxLength: 4096 });
  await reader.start();
  ctx.reader = reader;
  ctx.present = async (dir, pullAfter) => {
    assert.ok(reader.presentCard(loadCardImage(dir), pullAfter === undefined ? {} : { pullAfter }));
  };
  ctx.remove = async () => {
    if (!reader.hasCard) return;
    const gone = new Promise<void>((r) => { const off = reader.on('removed', () => (off(), r())); });
    reader.remove();
    await gone;
  };
  ctx.close = () => {
    rig.close();
    rmSync(ctx.dir, { recursive: true, force: true });
  };
});

t.after(async (ctx) => {
  await ctx.reader?.stop();
  ctx.close?.();
  const valid = ctx.timings.filter((x) => x.kind === 'valid' || x.kind === 'valid-after-pull');
  if (valid.length) console.log(`twin card read ms: ${valid.map((x) => x.readMs.toFixed(1)).join(', ')}; chip auth ms: ${valid.map((x) => x.authMs.toFixed(1)).join(', ')}`);
});

cardContract(t);

t('a stopped or disconnected twin sees no card', async (ctx) => {
  const r = ctx.reader as SimulatedCardReader;
  r.disconnect();
  await new Promise((res) => setImmediate(res));
  assert.is(r.presentCard(loadCardImage(ctx.cards.get('valid')!)), undefined);
  r.reconnect();
  await new Promise((res) => setImmediate(res));
  const answer = nextRead(r);
  assert.ok(r.presentCard(loadCardImage(ctx.cards.get('valid')!)));
  assert.ok('credential' in (await answer));
  await ctx.remove();
});

t.run();
