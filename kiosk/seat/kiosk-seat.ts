import type { GateConfig } from '../../config/schema.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import { Bus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import type { ControlResult, DeviceHealth, GateControlEvents, GateStatus, SeatControl, SelfTestCheck } from '../control-types.ts';
import { LaneStateFile } from '../crossing/lane-state.ts';
import type { JournalEventType } from '../crossing/facts.ts';
import type { Screen } from '../display/messages.ts';
import type { KioskScreen } from '../display/kiosk-types.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import { errorCode } from '../errors.ts';
import { stopParts, stopWithin } from '../gate-stop.ts';
import type { Journal } from '../journal/index.ts';
import type { Logger } from '../log.ts';
import type { TokenStores } from '../tokens/open.ts';
import { closedScreen } from './closed-screen.ts';
import type { KioskApp, KioskParts } from './kiosk-profile.ts';
import { join } from 'node:path';

type Mode = 'in_service' | 'out_of_service' | 'maintenance';

export interface KioskSeatDeps {
  parts: KioskParts;
  journal: Journal;
  app: KioskApp;
}

/**
 * A kiosk as its operators see it — the same facade a lane has (status, modes, journal, the
 * stores the CLI and central commands manage) around a kiosk profile instead of a mantrap.
 * The commanded mode is durable (dataDir/lane-state.json, written before the command is
 * answered), so a kiosk put out of service stays so after kill -9. Out of service or in
 * maintenance, the touch page shows the closed screen and no tap reaches the profile.
 * A kiosk has no doors: `door` is refused.
 */
export class KioskSeat implements SeatControl {
  readonly startedAt = new Date().toISOString();
  readonly #bus = new Bus<GateControlEvents>();
  readonly #screenFns = new Set<(s: KioskScreen) => void>();
  readonly #state: LaneStateFile;
  readonly #d: KioskSeatDeps;
  /** The profile behind the page (its extra routes). */
  get app(): KioskApp {
    return this.#d.app;
  }
  #mode: Mode | 'starting' = 'starting';
  #journalFault = false;
  #started: string[] = [];

  constructor(deps: KioskSeatDeps) {
    this.#d = deps;
    this.#state = new LaneStateFile(join(deps.parts.config.dataDir, 'lane-state.json'));
    deps.app.on('screen', (s) => this.#showScreen(s));
  }

  get config(): GateConfig {
    return this.#d.parts.config;
  }
  get journalStore(): Journal {
    return this.#d.journal;
  }
  get references(): ReferenceStore {
    return this.#d.parts.references;
  }
  get tokens(): TokenStores | undefined {
    return this.#d.parts.tokens;
  }
  get engine(): FaceEngine {
    return this.#d.parts.engine;
  }

  /** The mode the last process was commanded into, then the common devices and the profile. */
  async start(): Promise<void> {
    const { parts, app } = this.#d;
    const resume = this.#state.load();
    const mode: Mode = resume.commanded ?? 'in_service';
    for (const s of parts.scanners) {
      await s.start();
      this.#started.push(s.name);
    }
    await parts.camera.start();
    this.#started.push('camera');
    await app.start();
    this.#started.push('app');
    this.#enter(mode);
    this.journal('maintenance_action', { action: 'kiosk_started', mode, profile: parts.config.profile });
  }

  /** The profile first (it retains cards, leaves payments to settle), then the devices, the stores, the journal. */
  async stop(): Promise<void> {
    const { parts, app } = this.#d;
    const stoppers: Record<string, () => unknown> = { app: () => app.stop(), camera: () => parts.camera.stop() };
    for (const s of parts.scanners) stoppers[s.name] = () => s.stop();
    const started = this.#started;
    this.#started = [];
    const bound = { clock: parts.clock, log: parts.log };
    await stopParts(started.reverse(), stoppers, bound);
    await stopWithin('engine', () => parts.engine.close(), bound);
    await stopWithin('references', () => parts.references.close(), bound);
    await stopWithin('journal', () => this.#d.journal.close(), bound);
  }

  /** The touch page's source: the profile's screens while in service, the closed screen otherwise. */
  readonly page = {
    screen: (): KioskScreen => (this.#mode === 'in_service' ? this.#d.app.screen() : closedScreen(this.#mode)),
    on: (_event: 'screen', fn: (s: KioskScreen) => void): (() => void) => {
      this.#screenFns.add(fn);
      return () => this.#screenFns.delete(fn);
    },
    act: (action: string): void => {
      if (this.#mode === 'in_service') this.#d.app.act(action);
    },
    reset: (): void => this.#d.app.reset(),
  };

  status(): GateStatus {
    const { parts, app, journal: j } = this.#d;
    const devices: Record<string, DeviceHealth> = { camera: parts.camera.faulted ? { healthy: false, code: 'NO_FRAMES' } : { healthy: true } };
    for (const s of parts.scanners) devices[s.name] = s.faulted ? { healthy: false, code: 'DISCONNECTED' } : { healthy: true };
    Object.assign(devices, app.devices());
    if (this.#journalFault) devices.journal = { healthy: false, code: 'JOURNAL_FAILED' };
    return {
      gate: parts.config.gate,
      site: parts.config.sync.site,
      profile: parts.config.profile,
      mode: this.#mode,
      state: `${this.#mode}.${this.page.screen().id}`,
      inCrossing: app.busy(),
      devices,
      lastCrossing: null,
      journal: { lastSeq: j.lastSeq(), deliveredSeq: j.deliveredSeq(), unsent: j.undeliveredCount(), diskBytes: j.diskUsage() },
      version: process.env.EGATE_RELEASE ?? process.env.npm_package_version ?? '0.1.0',
      startedAt: this.startedAt,
    };
  }

  /** The lane display's screen: a kiosk has only its touch page (/kiosk). */
  screen(): Screen | undefined {
    return undefined;
  }

  setMode(mode: Mode, by: string): ControlResult {
    if (this.#d.app.busy()) return { ok: false, code: 'CROSSING_IN_PROGRESS', error: 'a visitor is being served' };
    const before = this.#mode;
    try {
      this.#state.save({ commanded: mode, emergency: 'none', latched: [] });
    } catch (err) {
      return { ok: false, code: 'STATE_NOT_SAVED', error: `the mode could not be made durable: ${(err as Error).message}` };
    }
    this.journal('maintenance_action', { action: 'mode_set', mode, by });
    this.#enter(mode);
    return { ok: true, detail: `${before} → ${mode}` };
  }

  reset(): ControlResult {
    return { ok: false, code: 'NOTHING_TO_RESET', error: 'a kiosk has no alarm to reset' };
  }

  async door(): Promise<ControlResult> {
    return { ok: false, code: 'UNKNOWN_DOOR', error: 'a kiosk has no doors' };
  }

  /** Appends to the journal; a kiosk that cannot account for what it does goes out of service. */
  journal(type: JournalEventType, data: Record<string, unknown>): void {
    let seq: number;
    try {
      seq = this.#d.journal.append(type, data as never).seq;
    } catch (err) {
      this.#d.parts.log.error({ type, code: errorCode(err), err: (err as Error).message }, 'journal append failed');
      if (!this.#journalFault) {
        this.#journalFault = true;
        this.#enter('out_of_service');
      }
      return;
    }
    this.#bus.emit('journal', { seq, type, data });
  }

  on<K extends keyof GateControlEvents>(event: K, fn: (payload: GateControlEvents[K]) => void): () => void {
    return this.#bus.on(event, fn as never);
  }

  async selfTest(clock: Clock): Promise<{ ok: boolean; checks: SelfTestCheck[] }> {
    const { parts, app } = this.#d;
    const checks: SelfTestCheck[] = [];
    try {
      const f = await parts.camera.nextFrame(2000);
      checks.push({ device: 'camera', ok: true, detail: `frame ${f.seq} (${f.width}x${f.height})` });
    } catch (err) {
      checks.push({ device: 'camera', ok: false, detail: `no new frame within 2000 ms (${errorCode(err)})` });
    }
    for (const s of parts.scanners) checks.push({ device: s.name, ok: !s.faulted, detail: s.faulted ? 'disconnected' : 'present' });
    for (const [device, h] of Object.entries(app.devices())) checks.push({ device, ok: h.healthy, detail: h.healthy ? 'answers' : (h.code ?? 'fault') });
    void clock;
    return { ok: checks.every((c) => c.ok), checks };
  }

  #enter(mode: Mode | 'out_of_service'): void {
    const effective: Mode = this.#journalFault ? 'out_of_service' : mode;
    if (effective !== 'in_service') this.#d.app.reset();
    this.#mode = effective;
    this.#bus.emit('state', { state: this.status().state, mode: effective, outputs: {} });
    this.#showScreen();
  }

  #showScreen(_s?: KioskScreen): void {
    const s = this.page.screen();
    for (const fn of this.#screenFns) fn(s);
  }
}
