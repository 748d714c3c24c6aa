import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { checkReleaseModels } from './model-check.ts';
import { ReleaseProcess, ReleaseProcessError } from './release-process.ts';
import type { ReleaseSlots, SlotName } from './slots.ts';
import { UpdateRefusedError } from './update-error.ts';
import type { StagedRelease } from './updater.ts';

export type UpdateJournalType = 'update_refused' | 'update_staged' | 'update_prepared' | 'update_switched' | 'update_confirmed' | 'update_rolled_back';

/** Why a switched release went back: the first health check that failed. */
export type RollbackReason = 'HEALTH_EXITED' | 'HEALTH_NOT_READY' | 'HEALTH_DEVICES' | 'HEALTH_SELF_CHECK' | 'HEALTH_SELF_TEST' | 'HEALTH_MODELS' | 'HEALTH_OUT_OF_SERVICE_BOUND';

export interface LauncherBounds {
  maxOutOfServiceMs: number;
  drainTimeoutMs: number;
  stopTimeoutMs: number;
  /** Start of the confirmed release at boot and after a rollback. */
  readyTimeoutMs: number;
}

export interface LauncherOptions {
  slots: ReleaseSlots;
  clock: Clock;
  log: Logger;
  bounds: LauncherBounds;
  /** Appended to the release's argv (the gate's configuration path). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  stdio?: 'inherit' | 'ignore';
  /** Durable record of the update (the gate's journal; central sees it through sync). */
  journal: (type: UpdateJournalType, data: Record<string, unknown>) => void;
}

export interface InstallReport {
  release: string;
  outcome: 'confirmed' | 'rolled_back' | 'refused' | 'deferred';
  reason?: string;
  slot?: SlotName;
  prepareMs: number;
  /** Lane out of service: drained → new release confirmed and resumed (or old one back). */
  outOfServiceMs?: number;
  /** Pointer switched → new release healthy. */
  switchMs?: number;
  /** Health failure known → old release ready again. */
  rollbackMs?: number;
}

class HealthFailure extends Error {
  constructor(readonly reason: RollbackReason, message: string) {
    super(message);
  }
}

/**
 * The service's main process when the gate is installed in A/B slots: starts the release in
 * `current`, and installs a staged release while it runs — prepared into the spare slot,
 * switched only once the running release drained (no crossing in progress, lane out of
 * service, doors closed), then health-checked: the release reaches READY, its devices
 * answer, its self-checks pass, its models still match their manifest and calibration, and
 * its self-test crossing on the door twin clears a genuine traveller and refuses an impostor. Any
 * failure, or the out-of-service bound passing, switches back and restarts the confirmed one.
 */
export class ReleaseLauncher {
  running: ReleaseProcess | undefined;
  readonly #o: LauncherOptions;

  constructor(o: LauncherOptions) {
    this.#o = o;
  }

  /** Recovers the slots (power cut), starts `current` and waits for its READY. */
  async start(): Promise<void> {
    const r = this.#o.slots.recover();
    for (const a of r.actions) this.#o.log.warn({ action: a }, 'release slots recovered');
    if (!r.current) throw new Error(`no release installed under ${this.#o.slots.root}`);
    this.running = this.#spawn(r.current);
    await this.running.expect('ready', this.#o.bounds.readyTimeoutMs);
    // A cut between drain and resume left the lane out of service for the update: give it back.
    if (existsSync(this.#drainedMark)) {
      this.running.send({ t: 'resume' });
      await this.running.expect('resumed', this.#o.bounds.readyTimeoutMs);
      rmSync(this.#drainedMark, { force: true });
    }
  }

  /** Present while the lane is out of service because of an update (not a technician's choice). */
  get #drainedMark(): string {
    return join(this.#o.slots.root, 'lane-drained-for-update');
  }

  async stop(): Promise<void> {
    await this.running?.stop(this.#o.bounds.stopTimeoutMs);
  }

  /**
   * Release versions not to install again automatically: those whose install or health check
   * failed here, and those refused for another runtime while the runtime is still that one
   * (once the runtime is re-provisioned from another lock they are tried again).
   */
  failedVersions(): number[] {
    const f = join(this.#o.slots.root, 'failed.json');
    const failed = existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as number[]) : [];
    const runtime = this.#o.slots.runtimeLockSha256() ?? 'none';
    const onRuntime = Object.entries(this.#runtimeRefused()).filter(([, lock]) => lock === runtime).map(([v]) => Number(v));
    return [...new Set([...failed, ...onRuntime])].sort((a, b) => a - b);
  }

  /** targets version → the runtime lock it was refused on (UPDATE_RUNTIME_MISMATCH). */
  #runtimeRefused(): Record<string, string> {
    const f = join(this.#o.slots.root, 'runtime-refused.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Record<string, string>) : {};
  }

  async install(staged: StagedRelease): Promise<InstallReport> {
    const { slots, clock, bounds, journal } = this.#o;
    const t0 = clock.monotonic();
    let slot: SlotName;
    try {
      slot = slots.prepare(staged);
    } catch (err) {
      const reason = err instanceof UpdateRefusedError ? err.code : 'UPDATE_INVALID';
      journal('update_refused', { reason, release: staged.release, targets_version: staged.targetsVersion, detail: (err as Error).message.slice(0, 300) });
      if (reason === 'UPDATE_RUNTIME_MISMATCH') this.#markRuntimeRefused(staged.targetsVersion);
      else this.#markFailed(staged.targetsVersion);
      return { release: staged.release, outcome: 'refused', reason, prepareMs: ms(clock.monotonic() - t0) };
    }
    const prepareMs = ms(clock.monotonic() - t0);
    journal('update_prepared', { release: staged.release, slot, targets_version: staged.targetsVersion, prepare_ms: prepareMs });
    const old = this.running!;
    old.send({ t: 'drain' });
    try {
      const d = await old.expect(['drained', 'drain_refused'], bounds.drainTimeoutMs);
      if (d.t === 'drain_refused') return { release: staged.release, outcome: 'deferred', reason: d.reason, slot, prepareMs };
      writeFileSync(this.#drainedMark, '');
    } catch (err) {
      old.send({ t: 'resume' });
      return { release: staged.release, outcome: 'deferred', reason: (err as Error).message, slot, prepareMs };
    }
    const tOut = clock.monotonic();
    const from = slots.current()!;
    try {
      slots.switchTo(slot);
    } catch (err) {
      // The prepared slot no longer verifies (disk fault since prepare): nothing switched, the lane goes back.
      old.send({ t: 'resume' });
      rmSync(this.#drainedMark, { force: true });
      const reason = err instanceof UpdateRefusedError ? err.code : 'UPDATE_INVALID';
      journal('update_refused', { reason, release: staged.release, targets_version: staged.targetsVersion, detail: (err as Error).message.slice(0, 300) });
      return { release: staged.release, outcome: 'refused', reason, slot, prepareMs };
    }
    journal('update_switched', { release: staged.release, targets_version: staged.targetsVersion, slot, from });
    await old.stop(bounds.stopTimeoutMs);
    const tSwitch = clock.monotonic();
    try {
      const selfTest = await this.#healthy(slot, tOut + bounds.maxOutOfServiceMs);
      slots.confirm();
      const switchMs = ms(clock.monotonic() - tSwitch);
      this.running!.send({ t: 'resume' });
      await this.running!.expect('resumed', Math.max(1000, tOut + bounds.maxOutOfServiceMs - clock.monotonic()));
      rmSync(this.#drainedMark, { force: true });
      const outOfServiceMs = ms(clock.monotonic() - tOut);
      journal('update_confirmed', { release: staged.release, targets_version: staged.targetsVersion, slot, switch_ms: switchMs, out_of_service_ms: outOfServiceMs, self_test_ms: selfTest.selfTestMs, self_test: selfTest.outcomes });
      return { release: staged.release, outcome: 'confirmed', slot, prepareMs, switchMs, outOfServiceMs };
    } catch (err) {
      const reason: RollbackReason = err instanceof HealthFailure ? err.reason : err instanceof ReleaseProcessError ? (err.code === 'RELEASE_EXITED' ? 'HEALTH_EXITED' : 'HEALTH_OUT_OF_SERVICE_BOUND') : 'HEALTH_EXITED';
      const tBack = clock.monotonic();
      const back = slots.rollback();
      await this.running?.stop(bounds.stopTimeoutMs);
      this.#markFailed(staged.targetsVersion);
      this.running = this.#spawn(back);
      await this.running.expect('ready', bounds.readyTimeoutMs);
      const rollbackMs = ms(clock.monotonic() - tBack);
      this.running.send({ t: 'resume' });
      await this.running.expect('resumed', bounds.readyTimeoutMs);
      rmSync(this.#drainedMark, { force: true });
      const outOfServiceMs = ms(clock.monotonic() - tOut);
      journal('update_rolled_back', { release: staged.release, targets_version: staged.targetsVersion, reason, slot: back, detail: (err as Error).message.slice(0, 300), rollback_ms: rollbackMs, out_of_service_ms: outOfServiceMs });
      return { release: staged.release, outcome: 'rolled_back', reason, slot: back, prepareMs, rollbackMs, outOfServiceMs };
    }
  }

  /** The health check of a switched release, every step before `deadline` (monotonic). */
  async #healthy(slot: SlotName, deadline: number): Promise<{ selfTestMs: number; outcomes: Record<string, string> }> {
    const { clock } = this.#o;
    const left = (): number => {
      const l = deadline - clock.monotonic();
      if (l <= 0) throw new HealthFailure('HEALTH_OUT_OF_SERVICE_BOUND', 'the out-of-service bound passed before the release was healthy');
      return l;
    };
    this.running = this.#spawn(slot);
    try {
      await this.running.expect('ready', left());
    } catch (err) {
      if (err instanceof ReleaseProcessError && err.code === 'RELEASE_TIMEOUT') throw new HealthFailure('HEALTH_NOT_READY', err.message);
      throw err;
    }
    try {
      checkReleaseModels(join(this.#o.slots.slotDir(slot), 'models'));
    } catch (err) {
      throw new HealthFailure('HEALTH_MODELS', (err as Error).message);
    }
    // Devices may need a poll or two after READY: asked again until healthy or out of time.
    for (;;) {
      this.running.send({ t: 'health?' });
      const h = await this.running.expect('health', left());
      const failed = Object.entries(h.checks).filter(([, c]) => !c.ok);
      if (failed.length) throw new HealthFailure('HEALTH_SELF_CHECK', failed.map(([n, c]) => `${n}: ${c.detail ?? 'failed'}`).join('; '));
      const sick = Object.entries(h.devices).filter(([, d]) => !d.healthy);
      if (!sick.length) break;
      if (deadline - clock.monotonic() < 500) throw new HealthFailure('HEALTH_DEVICES', `devices not answering: ${sick.map(([n, d]) => `${n}${d.code ? `:${d.code}` : ''}`).join(', ')}`);
      await new Promise<void>((r) => clock.setTimeout(r, 250));
    }
    // Last: one simulated crossing on the door twin (the lane's doors stay closed, out of service).
    this.running.send({ t: 'self_test?' });
    const st = await this.running.expect('self_test', left());
    if (!st.ok) throw new HealthFailure('HEALTH_SELF_TEST', `self-test crossing: ${st.detail ?? JSON.stringify(st.outcomes)}`);
    return { selfTestMs: st.ms, outcomes: st.outcomes };
  }

  #spawn(slot: SlotName): ReleaseProcess {
    const m = this.#o.slots.manifest(slot);
    // The launcher alone talks to systemd: a release's own READY would come from another pid.
    const { NOTIFY_SOCKET: _n, WATCHDOG_USEC: _w, WATCHDOG_PID: _p, ...base } = this.#o.env ?? process.env;
    const env = { ...base, EGATE_RELEASE: m.release };
    return new ReleaseProcess({ slotDir: this.#o.slots.slotDir(slot), argv: m.argv, args: this.#o.args ?? [], env, clock: this.#o.clock, stdio: this.#o.stdio ?? 'inherit' });
  }

  #markRuntimeRefused(version: number): void {
    const refused = { ...this.#runtimeRefused(), [version]: this.#o.slots.runtimeLockSha256() ?? 'none' };
    writeFileSync(join(this.#o.slots.root, 'runtime-refused.json'), JSON.stringify(refused));
  }

  #markFailed(version: number): void {
    const f = join(this.#o.slots.root, 'failed.json');
    const failed = existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as number[]) : [];
    const list = [...new Set([...failed, version])].sort((a, b) => a - b);
    writeFileSync(join(this.#o.slots.root, 'failed.json'), JSON.stringify(list));
  }
}

const ms = (x: number): number => Math.round(x);
