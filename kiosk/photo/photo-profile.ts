import { join } from 'node:path';
import { SaneScanner } from '../../drivers/document-scanner/sane-scanner.ts';
import { DocumentScannerTwin } from '../../drivers/document-scanner/twin.ts';
import { SimulatedAcquirer } from '../../drivers/payment/acquirer-sim.ts';
import { SimulatedGateway } from '../../drivers/payment/gateway-twin.ts';
import { HttpPaymentGateway } from '../../drivers/payment/http-gateway.ts';
import { SimulatedOctopusReader } from '../../drivers/payment/octopus-twin.ts';
import { createPrinter } from '../../drivers/printer/index.ts';
import type { DeviceHealth } from '../control-types.ts';
import type { JournalEventType } from '../crossing/facts.ts';
import { ConfigError } from '../errors.ts';
import type { Journal } from '../journal/journal.ts';
import { PaymentDesk } from '../payment/payment-desk.ts';
import { PaymentStore } from '../payment/payment-store.ts';
import { checkPortrait } from '../portrait/check.ts';
import type { KioskApp, KioskParts, KioskProfile } from '../seat/kiosk-profile.ts';
import { verifyLiveFrames } from './live-check.ts';
import { photoPayments, settleOctopusAfterRestart } from './photo-payment.ts';
import { PhotoKiosk } from './photo-kiosk.ts';

/**
 * The `photo` profile on the kiosk host: its own devices from config (document scanner, receipt
 * printer, acquirer gateway, Octopus reader), the payments store in the data directory, the
 * host's face engine and camera for the live 1:1. Octopus has only its twin (the reader's
 * protocol is licensed: docs/decisions.md), so a site's config lists only `fps` until a
 * licensed driver exists.
 */
export const photoProfile: KioskProfile = {
  name: 'photo',
  async build(parts: KioskParts): Promise<KioskApp> {
    const { clock, log } = parts;
    const cfg = parts.config.photoKiosk;
    if (cfg.scanner.driver === 'sane' && !cfg.scanner.device) throw new ConfigError([{ path: 'photoKiosk.scanner.device', message: 'required for the sane driver' }]);
    if (cfg.payment.gateway === 'http' && !cfg.payment.gatewayUrl) throw new ConfigError([{ path: 'photoKiosk.payment.gatewayUrl', message: 'required for the http gateway' }]);
    const scanner = cfg.scanner.driver === 'sane' ? new SaneScanner({ device: cfg.scanner.device!, timeoutMs: cfg.timings.scanBudgetMs }, clock) : new DocumentScannerTwin(clock, cfg.timings.scanBudgetMs);
    const printer = createPrinter(parts.config.printer, { clock, log });
    const gateway = cfg.payment.gateway === 'http' ? new HttpPaymentGateway({ url: cfg.payment.gatewayUrl! }, { clock }) : new SimulatedGateway(new SimulatedAcquirer(clock), { clock });
    const reader = new SimulatedOctopusReader({ clock });
    const store = new PaymentStore(join(parts.config.dataDir, 'payments.sqlite'));
    // payment_state and photo_check are journal event types (kiosk/journal/event-types.ts); the host's port is typed for the lane's facts
    const journal: Pick<Journal, 'append'> = { append: ((type: string, data: Record<string, unknown>) => parts.journal(type as JournalEventType, data)) as Journal['append'] };
    const fps = cfg.payment.fps;
    const desk = new PaymentDesk({
      store, gateway, journal, clock,
      merchant: { proxy: { kind: fps.proxyKind, value: fps.proxy }, mcc: fps.mcc, merchantName: fps.merchantName, merchantCity: fps.merchantCity },
      budgetMs: cfg.payment.budgetMs, retryMs: cfg.payment.retryMs,
    });
    const octopus = { store, journal, clock, reader, budgetMs: cfg.payment.budgetMs };
    const health: Record<string, DeviceHealth> = { scanner: { healthy: true }, printer: { healthy: true }, payment: { healthy: true } };
    gateway.on('fault', (e) => (health.payment = { healthy: false, code: e.code }));
    gateway.on('recovered', () => (health.payment = { healthy: true }));
    const kiosk = new PhotoKiosk(
      {
        scanner,
        scan: { dpi: cfg.scanner.dpi, mode: 'color', area: cfg.scanner.area },
        checkPortrait: (jpeg) => checkPortrait(jpeg, parts.engine, parts.config.portrait),
        verifyLive: (reference) => verifyLiveFrames(parts.engine, () => parts.camera.nextFrame(2_000), reference, cfg.timings.framesPerAttempt, cfg.operatingPoint),
        payments: photoPayments(desk, octopus),
        methods: cfg.payment.methods,
        printer,
        journal: (data) => parts.journal('photo_check' as JournalEventType, data),
        clock,
        kiosk: parts.config.gate,
        feeCents: cfg.feeCents,
      },
      cfg.timings,
    );
    return {
      screen: () => kiosk.screen(),
      on: (e, fn) => kiosk.on(e, fn),
      act: (a) => kiosk.act(a),
      reset: () => kiosk.reset(),
      async start() {
        await printer.open().catch((err: { code?: string }) => (health.printer = { healthy: false, code: err.code ?? 'PRINTER_OPEN' }));
        await reader.start();
        await desk.start();
        // no applicant survives a restart: every unfinished payment is settled now
        await settleOctopusAfterRestart(octopus);
        void desk.recover(0);
      },
      async stop() {
        kiosk.stop();
        await desk.stop();
        await reader.stop();
        await printer.close();
        await scanner.close();
        store.close();
      },
      devices: () => ({ ...health }),
      busy: () => kiosk.actor.getSnapshot().value !== 'idle',
    };
  },
};
