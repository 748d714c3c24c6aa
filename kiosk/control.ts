import type { GateConfig } from '../config/schema.ts';
import type { FaceEngine } from './biometrics/index.ts';
import type {
  ControlResult,
  DeviceHealth,
  GateControlEvents,
  GateStatus,
  SeatControl,
  SelfTestCheck,
} from './control-types.ts';
import type { Clock } from './clock.ts';
import { laneSelfTest } from './lane-selftest.ts';
import type { CrossingRecord } from './crossing/types.ts';
import type { Screen } from './display/messages.ts';
import type { ReferenceStore } from './enrolment/reference-store.ts';
import type { Gate } from './gate.ts';
import type { Journal } from './journal/index.ts';
import type { TokenStores } from './tokens/open.ts';

export type * from './control-types.ts';

/** Door roles a technician may move by hand, per layout. */
const DOOR_ROLES: Record<string, string> = { entry: 'entry_release', exit: 'exit_release', barrier: 'barrier_raise' };

/**
 * The gate as its operators see it: status, mode, hand door commands, and the stores the
 * CLI and the central link manage. Every refusal is a typed result, never a throw.
 */
export class GateControl implements SeatControl {
  readonly gate: Gate;
  readonly startedAt = new Date().toISOString();
  #last: CrossingRecord | null = null;
  #lastAt = '';

  constructor(gate: Gate) {
    this.gate = gate;
    gate.bus.on('crossing_finished', (r) => {
      this.#last = r;
      this.#lastAt = new Date(gate.deps.clock.now()).toISOString();
    });
  }

  get config(): GateConfig {
    return this.gate.deps.config;
  }
  get journalStore(): Journal {
    return this.gate.deps.journal;
  }
  get references(): ReferenceStore {
    return this.gate.deps.references;
  }
  get tokens(): TokenStores {
    return this.gate.deps.tokens;
  }
  get engine(): FaceEngine {
    return this.gate.deps.engine;
  }

  status(): GateStatus {
    const d = this.gate.deps;
    const snap = this.gate.binding.actor.getSnapshot();
    const faults = snap.context.faults as string[];
    const state = this.gate.state?.state ?? 'starting';
    const devices: Record<string, DeviceHealth> = {
      controller: d.door.healthy ? { healthy: true } : { healthy: false, code: 'NOT_ANSWERING' },
      camera: d.camera.faulted ? { healthy: false, code: 'NO_FRAMES' } : { healthy: true },
    };
    for (const s of d.scanners) devices[s.name] = s.faulted ? { healthy: false, code: 'DISCONNECTED' } : { healthy: true };
    if (d.card) devices.card_reader = d.card.faulted ? { healthy: false, code: 'DISCONNECTED' } : { healthy: true };
    for (const f of faults) if (!devices[f]) devices[f] = { healthy: false, code: 'FAULT' };
    const j = d.journal;
    return {
      gate: d.config.gate,
      site: d.config.sync.site,
      profile: d.config.profile,
      mode: state.split('.')[0] ?? state,
      state,
      inCrossing: snap.context.crossing !== null,
      devices,
      lastCrossing: this.#last ? { outcome: this.#last.outcome, reason: this.#last.reason, at: this.#lastAt } : null,
      journal: { lastSeq: j.lastSeq(), deliveredSeq: j.deliveredSeq(), unsent: j.undeliveredCount(), diskBytes: j.diskUsage() },
      io: { inputs: { ...snap.context.io.inputs }, registers: { ...snap.context.io.registers } },
      // the release the update launcher started (kiosk/update/), else the package's own
      version: process.env.EGATE_RELEASE ?? process.env.npm_package_version ?? '0.1.0',
      startedAt: this.startedAt,
    };
  }

  screen(): Screen | undefined {
    return this.gate.screen;
  }

  selfTest(clock: Clock): Promise<{ ok: boolean; checks: SelfTestCheck[] }> {
    return laneSelfTest(this, clock);
  }

  setMode(mode: 'in_service' | 'out_of_service' | 'maintenance', by: string): ControlResult {
    const before = this.status();
    if (before.inCrossing) return { ok: false, code: 'CROSSING_IN_PROGRESS', error: 'a crossing is in progress' };
    if (before.mode === 'emergency') return { ok: false, code: 'EMERGENCY', error: 'the gate is in emergency: reset it first' };
    this.gate.send({ type: 'SET_MODE', mode, by });
    // Acknowledged only once durable: a restart must come back in the mode commanded.
    const unsaved = this.gate.binding.stateSaveError;
    if (unsaved) return { ok: false, code: 'STATE_NOT_SAVED', error: `the mode could not be made durable: ${unsaved}` };
    return { ok: true, detail: `${before.mode} → ${this.status().mode}` };
  }

  reset(by: string): ControlResult {
    if (!this.gate.state?.state.startsWith('emergency.awaiting_reset')) {
      return { ok: false, code: 'NOTHING_TO_RESET', error: 'reset applies only after a cleared fire alarm' };
    }
    this.gate.send({ type: 'RESET', by });
    return { ok: true };
  }

  async door(action: 'open' | 'close' | 'cycle', door: string, by: string): Promise<ControlResult> {
    const st = this.status();
    if (st.inCrossing) return { ok: false, code: 'CROSSING_IN_PROGRESS', error: 'a crossing is in progress' };
    if (st.mode !== 'maintenance' && st.mode !== 'out_of_service') {
      return { ok: false, code: 'NOT_IN_MAINTENANCE', error: 'put the gate in maintenance first (doors move by hand only when it serves nobody)' };
    }
    const role = DOOR_ROLES[door];
    const layoutRoles = this.config.door.layout === 'vehicle' ? ['barrier'] : ['entry', 'exit'];
    if (!role || !layoutRoles.includes(door)) return { ok: false, code: 'UNKNOWN_DOOR', error: `no door "${door}" on this gate (${layoutRoles.join(', ')})` };
    if (!this.gate.deps.door.healthy) return { ok: false, code: 'CONTROLLER_OFFLINE', error: 'the controller is not answering' };
    this.journal('maintenance_action', { action: `door_${action}`, door, by });
    const set = (v: boolean): void => this.gate.binding.setManualOutputs({ [role]: v });
    if (action === 'cycle') {
      set(true);
      // Open long enough to see the door travel (0.8 s) and stand open: the gate's clock, so tests can run it.
      await new Promise<void>((r) => this.gate.deps.clock.setTimeout(r, 3000));
      set(false);
    } else set(action === 'open');
    return { ok: true };
  }

  journal(type: 'maintenance_action' | 'config_changed' | 'keys_changed', data: Record<string, unknown>): void {
    this.gate.journal(type, data);
  }

  on<K extends keyof GateControlEvents>(event: K, fn: (payload: GateControlEvents[K]) => void): () => void {
    return this.gate.bus.on(event, fn as never);
  }
}
