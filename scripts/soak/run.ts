/**
 * One soak run (issue 11.12): traffic at up to 600 crossings an hour through the real gate
 * process while faults are injected at random, then the invariants. scripts/soak.ts is the
 * benchmark's command line; test/e2e/soak.test.ts runs a short one (10 kills).
 */
import { Faults, type FaultKind } from './faults.ts';
import { Judge, TRAVEL_MS, type WrongOpening } from './judge.ts';
import { SoakRig } from './rig.ts';
import { Traffic } from './traffic.ts';
import { prng } from '../../core/prng.ts';

export interface SoakOptions {
  kills: number;
  seed: number;
  /** Other faults per kill (on average). */
  othersPerKill?: number;
  /** Minimum spacing of crossings: 600 an hour is one every 6 s. */
  crossingsPerHour?: number;
  /** Crossings completed between two faults (the next fault lands at a random moment after them). */
  crossingsBetween?: number;
  /** Aborting stops the injection early; the run still checks everything and reports. */
  signal?: AbortSignal;
  /** Stop injecting after this many minutes even if fewer kills were made (the figures say how many). */
  maxMinutes?: number;
  /** Progress lines (stderr in the CLI). */
  say?: (line: string) => void;
}

export interface SoakFigures {
  seed: number;
  seconds: number;
  crossings: number;
  crossings_by_kind: Record<string, number>;
  /** Outcomes the central side received (crossing_finished), by outcome/reason. */
  outcomes: Record<string, number>;
  kills: number;
  faults: Record<FaultKind, number>;
  gate_crashes: number;
  failed_starts: number;
  restart_ms_p50: number;
  restart_ms_max: number;
  door_releases: { entry: number; exit: number };
  wrong_openings: number;
  exit_releases_with_nobody_inside: number;
  wrong_opening_list: WrongOpening[];
  doors_closed_after_kill_ms_max: number;
  /** Heartbeat gaps the controller saw while the gate ran (door-io.md: ≤ 1,000 ms), kills and link faults left out. */
  heartbeat_gap_ms_p99: number;
  heartbeat_gap_ms_max: number;
  heartbeat_gaps_over_1000: number;
  /** Each gap over 1,000 ms with its context (the first 40). */
  long_heartbeat_gaps: { at_s: number; ms: number; context: string }[];
  late_closings: number;
  closing_bound_ms: number;
  journal_ok: boolean;
  journal_events: number;
  central_received: number;
  central_duplicates: number;
  lost_events: number;
  /** The lost events' seq, type and time (first 20). */
  lost_list: string[];
  /** The outbox had drained before the final ordered stop. */
  drained_before_stop: boolean;
  /** Events the ordered stop journalled after sync stopped: delivered by one more start. */
  unsent_at_ordered_stop: number;
  stuck_travellers: number;
  stuck_list: string[];
  /** Travellers a technician walked out of the lane at a start that would not come into service. */
  escorted_out: number;
  /** Technician resets the soak had to call, and why. */
  technician_resets: string[];
  /** Why the injection ended before its kills or time were done (the gate would not come back), or null. */
  stopped_early: string | null;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};

export async function runSoak(o: SoakOptions): Promise<SoakFigures> {
  const say = o.say ?? (() => {});
  const random = prng(o.seed);
  const rig = new SoakRig({ dataOnTmpfs: true });
  const t0 = performance.now();
  try {
    await rig.start();
    const traffic = new Traffic(rig, random);
    const judge = new Judge(rig, traffic);
    rig.onWrite = (w) => judge.onWrite(w);
    const faults = new Faults(rig, judge, random);
    faults.escortOut = () => void traffic.escortOut();
    judge.context = () => `gate ${rig.mode() ?? 'unknown'}; faults in the last 30 s: ${faults.recent(30_000).join(', ') || 'none'}`;
    judge.onWrong = (w) => say(`soak: WRONG OPENING ${w.door} at ${w.at_s} s — ${w.why}; ${w.context}`);
    await faults.startGate();
    say(`soak: seed ${o.seed}, gate in service after ${faults.restartMs[0]} ms; ${o.kills} kills to go`);

    let running = true;
    let crossings = 0;
    let crashes = 0;
    const spacing = 3_600_000 / (o.crossingsPerHour ?? 600);
    const trafficLoop = (async () => {
      while (running) {
        const started = performance.now();
        if (rig.up && traffic.laneClear()) {
          await traffic.cross(traffic.pick());
          crossings++;
        }
        await sleep(Math.max(200, spacing - (performance.now() - started)));
      }
    })();

    const othersPerKill = o.othersPerKill ?? 0.6;
    let outSince: number | undefined;
    const stopAt = performance.now() + (o.maxMinutes ?? Infinity) * 60_000;
    let stoppedEarly: string | null = null;
    while (faults.counts.kill < o.kills && performance.now() < stopAt && !o.signal?.aborted) {
      try {
        // A gate that died by itself (a crash, a full disk) is restarted, as systemd does.
        const g = rig.gate;
        if (g && (g.proc.exitCode !== null || g.proc.signalCode !== null)) {
          rig.up = false;
          crashes++;
          say(`soak: the gate exited by itself (${g.proc.exitCode ?? g.proc.signalCode}); restarting`);
          await faults.startGate();
        }
        // At least two crossings between faults (bounded: a lane that serves nobody still gets faults),
        // then the fault lands at a random moment of the next one.
        const before = crossings;
        const between = o.crossingsBetween ?? 2;
        for (const until = Date.now() + 40_000; crossings < before + between && Date.now() < until; ) await sleep(200);
        await sleep(random() * 8000);
        // A lane latched out of service for 30 s (a forced door, an alarm awaiting reset) gets a
        // technician, as on site; each call is counted in the figures.
        if (rig.up && rig.mode() === 'out_of_service') {
          outSince ??= Date.now();
          if (Date.now() - outSince > 30_000) {
            await faults.technicianReset('latched out of service');
            outSince = undefined;
          }
        } else outSince = undefined;
        const kind: FaultKind = random() < 1 / (1 + othersPerKill) ? 'kill' : faults.pickOther();
        await faults.inject(kind);
        if (kind === 'kill') say(`soak: kill ${faults.counts.kill}/${o.kills} — ${crossings} crossings, ${judge.wrong.length} wrong openings`);
      } catch (err) {
        // A gate that will not come back is a finding, not the end of the report: judge what ran.
        stoppedEarly = (err as Error).message;
        say(`soak: stopped early — ${stoppedEarly}\n${rig.lastLines.join('\n')}`);
        break;
      }
    }
    running = false;
    await trafficLoop;

    // The central side must get every event, including what the ordered stop itself journals
    // (a crossing cut short, a device fault while stopping): drain, stop in order, and — as the gate
    // does at its next start — start once more to deliver what was left, then kill -9 (which journals nothing).
    const drain = async (): Promise<boolean> => {
      for (const by = Date.now() + 90_000; Date.now() < by; await sleep(500)) {
        if (new Set(judge.receivedSeqs()).size >= judge.journal().events) return true;
      }
      return false;
    };
    const drainedBeforeStop = await drain();
    if (rig.gate && rig.gate.proc.exitCode === null) {
      rig.gate.proc.kill('SIGTERM');
      await Promise.race([rig.gate.exited, sleep(20_000)]);
    }
    const journalledWhileStopping = judge.journal().events - new Set(judge.receivedSeqs()).size;
    if (journalledWhileStopping > 0) {
      try {
        await faults.startGate();
        await drain();
      } catch (err) {
        stoppedEarly ??= `the final start (to deliver what the ordered stop journalled) failed: ${(err as Error).message}`;
      }
      await rig.killGate();
    }
    await sleep(1000);
    const journal = judge.journal();
    const central = judge.central();
    return {
      seed: o.seed,
      seconds: Math.round((performance.now() - t0) / 1000),
      crossings,
      crossings_by_kind: traffic.counts,
      outcomes: judge.outcomes(),
      kills: faults.counts.kill,
      faults: faults.counts,
      gate_crashes: crashes,
      failed_starts: faults.failedStarts,
      restart_ms_p50: pct(faults.restartMs, 50),
      restart_ms_max: Math.max(0, ...faults.restartMs),
      door_releases: judge.releases,
      wrong_openings: judge.wrong.length,
      exit_releases_with_nobody_inside: judge.emptyExitReleases,
      wrong_opening_list: judge.wrong.slice(0, 20),
      doors_closed_after_kill_ms_max: Math.round(Math.max(0, ...judge.closedAfterKill)),
      heartbeat_gap_ms_p99: Math.round(pct(judge.beatGaps, 99)),
      heartbeat_gap_ms_max: Math.round(Math.max(0, ...judge.beatGaps)),
      heartbeat_gaps_over_1000: judge.beatGaps.filter((g) => g > 1000).length,
      long_heartbeat_gaps: judge.longGaps.slice(0, 40),
      late_closings: judge.lateClosings.length,
      closing_bound_ms: rig.watchdogMs + TRAVEL_MS,
      journal_ok: journal.ok,
      journal_events: journal.events,
      central_received: central.received,
      central_duplicates: central.duplicates,
      lost_events: central.lost.length,
      lost_list: central.lostList.slice(0, 20),
      drained_before_stop: drainedBeforeStop,
      unsent_at_ordered_stop: journalledWhileStopping,
      stuck_travellers: traffic.stuck,
      escorted_out: traffic.escorted,
      stuck_list: traffic.stuckList,
      technician_resets: faults.resets,
      stopped_early: stoppedEarly,
    };
  } finally {
    await rig.close();
  }
}
