import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import type { GateConfig } from '../config/schema.ts';
import type { Camera } from '../drivers/camera/interface.ts';
import type { CardReader } from '../drivers/card/interface.ts';
import type { ChipReader } from '../drivers/chip/interface.ts';
import type { MrzReader } from '../drivers/mrz/interface.ts';
import type { DoorController } from '../drivers/door/interface.ts';
import type { TokenScanner } from '../drivers/scanner/interface.ts';
import type { FaceEngine } from './biometrics/index.ts';
import { checkLaneCard } from './card/lane-card.ts';
import { Bus } from './bus.ts';
import type { Clock } from './clock.ts';
import { join } from 'node:path';
import { CrossingBinding } from './crossing/bind.ts';
import { LaneStateFile } from './crossing/lane-state.ts';
import type { CrossingEvent } from './crossing/events.ts';
import type { JournalEventType } from './crossing/facts.ts';
import type { CrossingRecord, TokenVerdict } from './crossing/types.ts';
import { stopParts, stopWithin } from './gate-stop.ts';
import type { Screen } from './display/messages.ts';
import type { ReferenceStore } from './enrolment/reference-store.ts';
import type { Journal } from './journal/index.ts';
import type { Logger } from './log.ts';
import type { TokenStores } from './tokens/open.ts';
import type { TokenVerifier } from './tokens/verifier.ts';

/** Facts the gate publishes for the display page, the status publisher, the CLI and the demo. */
export interface GateEvents {
  screen: Screen;
  state: { state: string; mode: string; outputs: Record<string, boolean> };
  journal: { seq: number; type: string; data: Record<string, unknown> };
  crossing_finished: CrossingRecord;
}

/** A crossing profile: its statechart, outputs table and screens. */
export interface GateProfile {
  machine: AnyStateMachine;
  outputsFor: (s: SnapshotFrom<AnyStateMachine>) => Record<string, boolean>;
  screenFor: (s: SnapshotFrom<AnyStateMachine>) => Screen;
  /** How a read from a reader becomes a TOKEN_READ (the token-check actor consumes `token`). */
  channels: { scanner: 'qr' | 'passport'; card: 'card' };
  /** Outcome of a refused token: REJECTED_DOCUMENT on the Express lane. */
  tokenRefusal?: 'REJECTED_TOKEN' | 'REJECTED_DOCUMENT';
}

/** Everything the gate is built from. Constructors only store; `start()` does the work. */
export interface GateDeps {
  config: GateConfig;
  clock: Clock;
  log: Logger;
  profile: GateProfile;
  journal: Journal;
  references: ReferenceStore;
  verifier: TokenVerifier;
  /** Trust list, revocations, fleet keys and replay cache behind the verifier (replaced by central commands). */
  tokens: TokenStores;
  engine: FaceEngine;
  door: DoorController;
  camera: Camera;
  scanners: TokenScanner[];
  card: CardReader | null;
  /** Express e-Channel: the passport's MRZ reader and contactless chip reader. */
  passportReaders?: { mrz: MrzReader; chip: ChipReader };
  /** Optional: the profile's own token check (Express: the passport); default is tokens.md + enrolment store. */
  checkToken?: (channel: string, token: unknown) => Promise<TokenVerdict>;
}

export class Gate {
  readonly bus = new Bus<GateEvents>();
  readonly deps: GateDeps;
  readonly binding: CrossingBinding;
  #started: string[] = [];
  #lastScreen: Screen | undefined;
  #lastState: GateEvents['state'] | undefined;
  #journalFault = false;

  constructor(deps: GateDeps) {
    this.deps = deps;
    const { config, clock, log, profile } = deps;
    this.bus.onListenerError((err, event) => log.error({ err: (err as Error).message, event }, 'listener failed'));
    // The commanded mode and latched states outlive the process (kill -9, power loss).
    const laneState = new LaneStateFile(join(config.dataDir, 'lane-state.json'));
    this.binding = new CrossingBinding({
      machine: profile.machine,
      input: {
        timings: config.timings,
        tokenRefusal: profile.tokenRefusal ?? 'REJECTED_TOKEN',
        newId: () => crypto.randomUUID(),
        resume: laneState.load(),
      },
      laneState,
      fireAlarmPolls: config.door.fireAlarmPolls,
      outputsFor: profile.outputsFor,
      screenFor: profile.screenFor,
      clock,
      log: log.child({ part: 'crossing' }),
      door: deps.door,
      camera: deps.camera,
      engine: deps.engine,
      checkToken: deps.checkToken ?? ((channel, token) => this.#checkToken(channel, token)),
      journal: (type, data) => this.journal(type, data),
      publish: ({ screen, state, mode, outputs }) => {
        this.#lastScreen = screen;
        this.#lastState = { state, mode, outputs };
        this.bus.emit('screen', screen);
        this.bus.emit('state', this.#lastState);
      },
    });
  }

  get screen(): Screen | undefined {
    return this.#lastScreen;
  }

  get state(): GateEvents['state'] | undefined {
    return this.#lastState;
  }

  /** Appends to the journal (durable before it returns) and tells listeners. */
  journal(type: JournalEventType, data: Record<string, unknown>): void {
    let seq: number;
    try {
      seq = this.deps.journal.append(type, data as never).seq;
    } catch (err) {
      // A gate that cannot account for what it does must not go on doing it: out of service.
      this.deps.log.error({ type, code: (err as { code?: string }).code, err: (err as Error).message }, 'journal append failed');
      if (!this.#journalFault) {
        this.#journalFault = true;
        this.send({ type: 'DEVICE_FAULT', device: 'journal', code: (err as { code?: string }).code ?? 'JOURNAL_FAILED' });
      }
      return;
    }
    this.bus.emit('journal', { seq, type, data });
    if (type === 'crossing_finished') this.bus.emit('crossing_finished', data as unknown as CrossingRecord);
  }

  send(event: CrossingEvent): void {
    this.binding.send(event);
  }

  /** Starts the parts in a fixed order: devices first, then the crossing engine, then the readers. */
  async start(): Promise<void> {
    const d = this.deps;
    this.journal('gate_started', { profile: d.config.profile, service: d.config.service, version: process.env.npm_package_version ?? '0.1.0' });
    this.#closeInterruptedCrossings();
    await this.#startPart('door', () => d.door.start());
    await this.#startPart('camera', () => d.camera.start());
    await this.#startPart('crossing', async () => this.binding.start());
    for (const s of d.scanners) {
      s.on('read', (r) => this.send({ type: 'TOKEN_READ', channel: d.profile.channels.scanner, token: r.text }));
      s.on('error', (e) => d.log.info({ code: e.code, reader: s.name }, 'scan refused'));
      s.on('fault', (e) => this.journal('device_fault', { device: s.name, code: e.code }));
      s.on('recovered', () => this.journal('device_recovered', { device: s.name }));
      await this.#startPart(s.name, () => s.start());
    }
    if (d.passportReaders) {
      const { mrz, chip } = d.passportReaders;
      mrz.on('mrz', (r) => this.send({ type: 'TOKEN_READ', channel: 'passport', token: [...r.lines] }));
      mrz.on('error', (e) => d.log.info({ code: e.code, reader: mrz.name }, 'MRZ refused'));
      mrz.on('fault', (e) => this.journal('device_fault', { device: 'mrz_reader', code: e.code }));
      mrz.on('recovered', () => this.journal('device_recovered', { device: 'mrz_reader' }));
      await this.#startPart('chip', () => chip.start());
      await this.#startPart('mrz', () => mrz.start());
    }
    if (d.card) {
      const card = d.card;
      // The whole read, not the credential bytes: the token check runs chip authentication on it (issue 14).
      card.on('card', (c) => this.send({ type: 'TOKEN_READ', channel: d.profile.channels.card, token: c }));
      // A card pulled mid-read starts no crossing: the reader reports it and the lane stays as it was.
      card.on('error', (e) => d.log.info({ code: e.code, reader: card.name }, 'card refused'));
      card.on('fault', (e) => this.journal('device_fault', { device: 'card_reader', code: e.code }));
      await this.#startPart('card', () => card.start());
    }
  }

  /** Stops every part (readers together, then crossing, camera, doors), each within a bound; then closes the stores. */
  async stop(): Promise<void> {
    const d = this.deps;
    const stoppers: Record<string, () => unknown> = {
      door: () => d.door.stop(),
      camera: () => d.camera.stop(),
      crossing: () => this.binding.stop(),
      card: () => d.card?.stop(),
      mrz: () => d.passportReaders?.mrz.stop(),
      chip: () => d.passportReaders?.chip.close(),
    };
    for (const s of d.scanners) stoppers[s.name] = () => s.stop();
    const started = this.#started;
    this.#started = [];
    // Each part within a bound: a device call that never settles must not keep the doors open.
    const bound = { clock: d.clock, log: d.log };
    await stopParts(started, stoppers, bound);
    await stopWithin('engine', () => d.engine.close(), bound);
    await stopWithin('references', () => d.references.close(), bound);
    await stopWithin('journal', () => d.journal.close(), bound);
  }

  /**
   * A crossing the previous process started but never finished (it was killed or hung) is
   * closed in the journal now, so every crossing ends with exactly one outcome.
   */
  #closeInterruptedCrossings(): void {
    const j = this.deps.journal;
    const from = Math.max(0, j.lastSeq() - 500);
    const open = new Set<string>();
    for (const e of j.readAfter(from, 1000)) {
      const id = (e.data as { crossing?: unknown }).crossing;
      if (typeof id !== 'string') continue;
      if (e.type === 'crossing_started') open.add(id);
      else if (e.type === 'crossing_finished') open.delete(id);
    }
    for (const crossing of open) {
      this.journal('crossing_finished', {
        crossing,
        outcome: 'ABORTED_FAULT',
        reason: 'PROCESS_RESTART',
        token_type: null,
        subject: null,
        match_score: null,
        liveness_score: null,
        attempts: 0,
        face_frame_ms: null,
        durations: { token_ms: null, entry_ms: null, face_ms: null, exit_ms: null, total_ms: 0 },
      });
    }
  }

  async #startPart(name: string, fn: () => Promise<void> | void): Promise<void> {
    await fn();
    this.#started.push(name);
  }

  /** tokens.md checks (a card: its chip too), then the enrolled reference: the default token check of the resident lanes. */
  async #checkToken(channel: string, token: unknown): Promise<TokenVerdict> {
    const d = this.deps;
    if (channel === 'card') {
      const refs = { gateId: d.config.gate, verifier: d.verifier, reference: (sub: string) => d.references.get(sub), pseudonym: (sub: string) => d.journal.pseudonym(sub) };
      return checkLaneCard(token, refs);
    }
    const tokenType = 'mobile';
    const input = typeof token === 'string' || token instanceof Uint8Array ? token : '';
    const r = await d.verifier.verify(input, 'qr');
    if (!r.ok) return { ok: false, tokenType, reason: r.reason };
    const reference = d.references.get(r.sub);
    const subject = d.journal.pseudonym(r.sub);
    if (!reference) return { ok: false, tokenType: r.kind, reason: 'NOT_ENROLLED', subject };
    return {
      ok: true,
      tokenType: r.kind,
      subject,
      reference: { template: reference.template, source: 'enrolment' },
      detail: { issuer_kid: r.kid, cti: r.ctiHash },
    };
  }
}
