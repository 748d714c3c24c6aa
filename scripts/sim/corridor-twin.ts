import { createActor, fromCallback } from 'xstate';
import { timingsSection } from '../../config/sections/gate.ts';
import { prng } from '../../core/prng.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import type { CrossingFact } from '../../kiosk/crossing/facts.ts';
import { reportOf } from '../../kiosk/corridor/corridor-loop.ts';
import { judge, readyToDecide, type DecideOptions, type TrackDecision } from '../../kiosk/corridor/decide.ts';
import type { CorridorGeometry } from '../../kiosk/corridor/geometry.ts';
import type { Identifier } from '../../kiosk/corridor/identify-port.ts';
import { CorridorTracker, type FaceDetection } from '../../kiosk/corridor/tracker.ts';
import { walkthroughMachine } from '../../kiosk/corridor/walkthrough-machine.ts';
import { walkthroughOutputs } from '../../kiosk/corridor/walkthrough-outputs.ts';
import type { CorridorCamera } from '../../kiosk/corridor/geometry.ts';

/**
 * The walk-through corridor in simulation, on a simulated clock: walkers move (stateful: they
 * wait at a shut exit door, stop, turn back, rush a door held open for someone else), the exit
 * door travels 0.8 s, zone sensors follow the walkers, every camera sees them at its frame
 * rate through `see` (synthetic detections, or faces rendered into the camera's view and run
 * through the real face engine), and the real tracker, decision rule, search and statechart
 * decide. Reports every passage's outcome, corridor time and decision latency.
 */
export interface TwinWalker {
  name: string;
  enterAt: number;
  speed: number;
  x: number;
  /** Stops here (m) for stopMs. */
  stopAtM?: number;
  stopMs?: number;
  turnBackAtM?: number;
  /** Walks through an exit door opened for the one in front (keeps close behind). */
  tailgate?: boolean;
}

/** What one camera sees of the walkers: detections, each with the walker it came from (the twin's ground truth). */
export type See = (cam: CorridorCamera, walkers: readonly { w: TwinWalker; z: number }[], at: number) => Promise<{ det: FaceDetection; who: string }[]>;

export interface TwinResult {
  outcomes: { outcome: string; reason: string; totalMs: number }[];
  /** Per walker: ms from entering to passing the exit door line (or walking back out of the entry). */
  corridorMs: Record<string, number | null>;
  /** ms from the frame that completed a track's decision back to the last frame before it that added to its pool. */
  decisionLatencyMs: number[];
  wrongOpenings: number;
  frames: number;
}

interface State { z: number; dir: 1 | -1; stoppedUntil: number; stopped: boolean; gone: boolean; leftAt: number | null; waitingSince: number | null }

export async function runTwin(o: {
  geometry: CorridorGeometry;
  walkers: TwinWalker[];
  identifier: Identifier;
  enrolled: (name: string) => boolean;
  see: See;
  fps: number;
  decide?: Partial<DecideOptions>;
  untilMs?: number;
}): Promise<TwinResult> {
  const g = o.geometry;
  const clock = new SimulatedClock();
  const facts: CrossingFact[] = [];
  let n = 0;
  const actor = createActor(walkthroughMachine.provide({ actors: { corridorLoop: fromCallback(() => () => {}) } }), {
    clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
    input: { timings: timingsSection.parse({}), now: () => clock.monotonic(), newId: () => `C${++n}` },
  });
  actor.on('*', (f) => facts.push(f as CrossingFact));
  actor.start();
  const tracker = new CorridorTracker({ geometry: g });
  const dec: DecideOptions = { minFrames: 4, decisionLineM: 1.6, corridorLengthM: g.lengthM, livenessThreshold: 0.5, ...o.decide };
  const decided = new Map<number, TrackDecision & { via: string }>();
  const lastPooled = new Map<number, number>();
  /** Which walker each track's faces came from (ground truth for judging the door). */
  const owner = new Map<number, string>();
  const latency: number[] = [];
  const st = new Map<string, State>(o.walkers.map((w) => [w.name, { z: -0.01, dir: 1, stoppedUntil: 0, stopped: false, gone: false, leftAt: null, waitingSince: null }]));
  let door = 0; // 0 shut … 1 open
  let wrong = 0;
  let frames = 0;
  const io = (): void => {
    const inside = [...st.entries()].filter(([name, s]) => !s.gone && s.z >= 0 && s.z <= g.lengthM && o.walkers.find((w) => w.name === name)!.enterAt <= clock.monotonic());
    const beyond = [...st.values()].some((s) => !s.gone && s.z > g.lengthM && s.z <= g.lengthM + 1);
    actor.send({ type: 'IO', io: { inputs: { entry_closed: false, exit_closed: door === 0, zone_approach: false, zone_mantrap: inside.length > 0, zone_exit: beyond, fire_alarm: false, tamper: false }, registers: { mantrap_occupancy: Math.min(2, inside.length), fault_bits: 0 } } });
  };
  io();
  actor.send({ type: 'FIRE_ALARM', active: false });
  clock.advance(6000);
  const t0 = clock.monotonic();
  const dtMs = 1000 / o.fps;
  const until = t0 + (o.untilMs ?? 30000);
  const doorAt = g.lengthM - 0.15;
  const trackOf = (name: string): number | null => {
    let best: number | null = null;
    for (const v of tracker.views()) if (owner.get(v.id) === name) best = v.id;
    return best;
  };
  for (let t = t0; t < until; t += dtMs) {
    clock.advance(dtMs);
    const now = clock.monotonic() - t0;
    const snap = actor.getSnapshot();
    const out = walkthroughOutputs(snap);
    door = Math.max(0, Math.min(1, door + (out.exit_release ? 1 : -1) * (dtMs / 800)));
    const refusedFront = snap.context.passages && Object.values(snap.context.passages).some((p) => p.last.decision === 'no_match' || p.last.decision === 'spoof');
    for (const w of o.walkers) {
      const s = st.get(w.name)!;
      if (s.gone || now < w.enterAt) continue;
      if (s.stopped && now < s.stoppedUntil) continue;
      if (w.stopAtM !== undefined && !s.stopped && s.z >= w.stopAtM) { s.stopped = true; s.stoppedUntil = now + (w.stopMs ?? 2000); continue; }
      if (w.turnBackAtM !== undefined && s.dir === 1 && s.z >= w.turnBackAtM) s.dir = -1;
      const speed = w.tailgate && door > 0.3 ? Math.max(w.speed, 1.8) : w.speed;
      let z = s.z + s.dir * speed * (dtMs / 1000);
      if (s.dir === 1 && s.z <= doorAt && z > doorAt && door < 0.7) {
        z = doorAt;
        s.waitingSince ??= now;
        // Refused at the door (the sign says: counter), or the door shut on a tailgater: they walk back.
        const mine = trackOf(w.name);
        const d = mine === null ? undefined : decided.get(mine);
        if ((d && d.kind !== 'match') || (w.tailgate && now - s.waitingSince > 1500) || now - s.waitingSince > 8000 || (refusedFront && !d && now - s.waitingSince > 3000)) s.dir = -1;
      } else if (s.dir === 1 && z > doorAt) s.waitingSince = null;
      if (s.dir === 1 && s.z <= doorAt && z > doorAt && door >= 0.7) {
        // Through the door: right only if it opened for this traveller's track.
        const open = snap.context.openFor;
        if (!o.enrolled(w.name) || open === null || owner.get(open) !== w.name) { wrong += w.tailgate ? 0 : 1; if (process.env.TWIN_DEBUG) console.error("wrong", w.name, now, open, JSON.stringify(tracker.views().map((v) => [v.id, v.z.toFixed(2)])), JSON.stringify(snap.value)); }
      }
      if (s.dir === 1 && s.z <= g.lengthM && z > g.lengthM) s.leftAt = now;
      s.z = z;
      if (z < 0 || z > g.lengthM + 1) { s.gone = true; s.leftAt ??= now; }
    }
    io();
    // Each camera's frame of this instant (cameras are synchronised).
    for (const cam of g.cameras) {
      // Walking back out, a traveller shows the cameras the back of their head.
      const visible = o.walkers.filter((w) => { const s = st.get(w.name)!; return !s.gone && now >= w.enterAt && s.dir === 1; }).map((w) => ({ w, z: st.get(w.name)!.z }));
      const dets = await o.see(cam, visible, now);
      frames++;
      const at = clock.monotonic();
      const ids = tracker.observe({ camera: cam.id, at, detections: dets.map((d) => d.det) });
      ids.forEach((id, i) => {
        lastPooled.set(id, at);
        if (!owner.has(id)) owner.set(id, dets[i]!.who);
      });
    }
    for (const v of tracker.views()) {
      if (decided.has(v.id) || !v.fused || !readyToDecide(v, dec)) continue;
      const j = judge(v, await o.identifier.identify(v.fused.template), dec);
      if (j) {
        decided.set(v.id, { ...j, via: 'gallery' });
        latency.push(clock.monotonic() - (lastPooled.get(v.id) ?? clock.monotonic()));
      }
    }
    tracker.tick(clock.monotonic());
    actor.send({ type: 'CORRIDOR', tracks: reportOf(tracker, decided) });
    if ([...st.values()].every((s) => s.gone) && tracker.size === 0 && actor.getSnapshot().matches({ in_service: 'watching' })) break;
  }
  // Travellers still inside at the end: the corridor empties and their passages finish.
  actor.send({ type: 'CORRIDOR', tracks: [] });
  actor.stop();
  const outcomes = facts.flatMap((f) => (f.type === 'journal' && f.event === 'crossing_finished' ? [{ outcome: String(f.data.outcome), reason: String(f.data.reason), totalMs: Number((f.data.durations as { total_ms: number }).total_ms) }] : []));
  const corridorMs: Record<string, number | null> = {};
  for (const w of o.walkers) { const s = st.get(w.name)!; corridorMs[w.name] = s.leftAt === null ? null : s.leftAt - w.enterAt; }
  return { outcomes, corridorMs, decisionLatencyMs: latency, wrongOpenings: wrong, frames };
}

/** Synthetic detections: each camera sees every walker its view holds, with jitter and template noise. */
export function syntheticSee(templates: Map<string, { template: Float32Array; liveness: number }>, seed: number, detect: (cam: CorridorCamera, p: { z: number; x: number; template: Float32Array; liveness: number }, rnd: () => number) => FaceDetection | null): See {
  const rnd = prng(seed);
  return async (cam, walkers) => walkers.flatMap(({ w, z }) => {
    const t = templates.get(w.name)!;
    if (z < 0) return [];
    const det = detect(cam, { z, x: w.x, template: t.template, liveness: t.liveness }, rnd);
    return det ? [{ det, who: w.name }] : [];
  });
}
