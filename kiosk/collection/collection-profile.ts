import { join } from 'node:path';
import { createCardReader } from '../../drivers/card/index.ts';
import { SimulatedCardReader } from '../../drivers/card/twin.ts';
import { createCardDispenser, DispenserTwin } from '../../drivers/dispenser/index.ts';
import type { CardDispenser } from '../../drivers/dispenser/interface.ts';
import type { CardReader } from '../../drivers/card/interface.ts';
import { checkSmartIdCard } from '../card/smart-id-check.ts';
import { createTokenVerifier } from '../tokens/open.ts';
import type { DeviceHealth } from '../control-types.ts';
import type { JournalEventType } from '../crossing/facts.ts';
import { ConfigError } from '../errors.ts';
import type { KioskApp, KioskParts, KioskProfile } from '../seat/kiosk-profile.ts';
import { CollectionKiosk, type LiveDecision } from './collection-kiosk.ts';
import { collectionKioskScreen } from './collection-screens.ts';
import { CollectionTwin } from './collection-twin.ts';
import { verifySlip } from './slip.ts';
import { CollectionStock } from './stock.ts';

/** The collection app: the touch page's source plus its devices (the simulator drives the twins). */
export interface CollectionApp extends KioskApp {
  kiosk: CollectionKiosk;
  dispenser: CardDispenser;
  reader: CardReader;
  stock: CollectionStock;
  /** The host's scanners (the slip scanner) and camera, as the kiosk uses them. */
  slipScanners: KioskParts['scanners'];
  camera: KioskParts['camera'];
  /** Only with the simulated dispenser and card reader: the plant and what its stacker holds. */
  twin?: CollectionTwin;
}

/**
 * The `collection` profile on the kiosk host (issue 14 §4): the card dispenser from config
 * (Modbus master on the kiosk's controller, or its twin), the card reader inside it
 * (`readers.card`: PC/SC or the twin), the host's scanners as the slip scanner, the host's
 * face engine, camera and journal. The loading manifest and the spent slips live in the data
 * directory. Stopping retains a card still inside before the dispenser is let go.
 */
export const collectionProfile: KioskProfile = {
  name: 'collection',
  async build(parts: KioskParts): Promise<CollectionApp> {
    const { clock, log, config } = parts;
    const tokens = parts.tokens;
    if (!tokens) throw new ConfigError([{ path: 'tokens', message: 'the collection kiosk verifies slips and cards: a token trust list is required' }]);
    let alive = false;
    const dispenser = createCardDispenser(config.dispenser, { clock, log: log.child({ part: 'dispenser' }), isControlLoopAlive: () => alive });
    const reader = createCardReader(config.readers, { clock, log });
    const twin = dispenser instanceof DispenserTwin && reader instanceof SimulatedCardReader ? new CollectionTwin(dispenser.plant, reader, clock) : undefined;
    const stock = new CollectionStock({ manifest: join(config.dataDir, 'collection-manifest.json'), spent: join(config.dataDir, 'collected-slips.log') });
    // The card's own photo is the face reference here (smart-id.md), not an enrolment on this
    // kiosk: the host's verifier, which asks the enrolment store, would refuse every resident.
    const verifier = createTokenVerifier(config.tokens, tokens, { clock, service: config.service, hasReference: () => true, log: log.child({ part: 'tokens' }) });
    const makeKiosk = (): CollectionKiosk =>
      new CollectionKiosk(
        {
          verifySlip: (text) => verifySlip(text, { trustList: tokens.trustList, nowMs: clock.now() }),
          slipUsed: (slip) => stock.used(slip),
          slipCollected: (slip) => stock.spend(slip),
          slotOf: (n) => stock.slotOf(n),
          dispenser,
          reader,
          checkCard: (read) => checkSmartIdCard({ files: read.smartId?.files, authenticate: (c) => read.smartId!.authenticate(c), gateId: config.gate, verifier }),
          faceReference: async (photo) => (await parts.engine.extractReference(photo)).template,
          verifyLive: async (template): Promise<LiveDecision> => {
            const frame = await parts.camera.nextFrame(2_000).catch(() => undefined);
            if (!frame) return { decision: 'no_face' };
            const v = await parts.engine.verify({ template, source: 'chip' }, frame);
            return { decision: v.decision, score: v.score ?? null, liveness: v.liveness ?? null };
          },
          // collection_step is a journal event type (kiosk/journal/event-types.ts); the host's port is typed for the lane's facts
          journal: (data) => parts.journal('collection_step' as JournalEventType, data),
          pseudonym: (s) => parts.pseudonym(s),
          clock,
          kiosk: config.gate,
        },
        config.collection,
      );
    const offs: (() => void)[] = [];
    const screenFns = new Set<Parameters<KioskApp['on']>[1]>();
    const app: CollectionApp = {
      kiosk: undefined as unknown as CollectionKiosk,
      dispenser,
      reader,
      stock,
      slipScanners: parts.scanners,
      camera: parts.camera,
      ...(twin ? { twin } : {}),
      // the page may ask before start: the kiosk exists only once the controller answers
      screen: () => (app.kiosk ? app.kiosk.screen() : collectionKioskScreen('please_wait')),
      on: (_e, fn) => {
        screenFns.add(fn);
        return () => screenFns.delete(fn);
      },
      act: (a) => app.kiosk?.act(a),
      reset: () => app.kiosk?.reset(),
      async start() {
        alive = true;
        twin?.start();
        await reader.start();
        await dispenser.start();
        // the kiosk (its start retains a card a dead process left inside) only once the controller answers
        app.kiosk = makeKiosk();
        offs.push(app.kiosk.on('screen', (s) => screenFns.forEach((fn) => fn(s))));
        for (const s of parts.scanners) offs.push(s.on('read', (r) => app.kiosk.slipScanned(r.text)));
        await app.kiosk.ready;
      },
      async stop() {
        for (const off of offs.splice(0)) off();
        app.kiosk?.stop();
        const s = dispenser.status();
        if (s && (s.cardAtReader || s.cardAtMouth)) await dispenser.retain().catch((err: { code?: string }) => log.error({ code: err.code }, 'card not retained at stop'));
        alive = false;
        await dispenser.stop();
        await reader.stop();
        twin?.stop();
        twin?.plant.stop();
      },
      devices: (): Record<string, DeviceHealth> => ({
        dispenser: dispenser.healthy ? { healthy: true } : { healthy: false, code: 'DISPENSER_OFFLINE' },
        card_reader: reader.faulted ? { healthy: false, code: 'READER_FAULT' } : { healthy: true },
      }),
      busy: () => !!app.kiosk && !['idle', 'out_of_service'].includes(String(app.kiosk.actor.getSnapshot().value)),
    };
    return app;
  },
};
