import type { Camera, Frame, RawFrame } from '../../drivers/camera/interface.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import { judge, readyToDecide, type DecideOptions, type TrackDecision } from './decide.ts';
import type { Identifier } from './identify-port.ts';
import type { CorridorTrackReport } from './passages.ts';
import type { TapPairing } from './token-tap.ts';
import type { CorridorTracker, FaceDetection } from './tracker.ts';

/** Finds faces in one camera's frame (template, quality, liveness each). */
export interface FaceDetector {
  detect(frame: RawFrame, camera: string): Promise<FaceDetection[]>;
}

const PROBE_REFERENCE = { template: (() => { const t = new Float32Array(512); t[0] = 1; return t; })(), source: 'enrolment' as const };

/**
 * The face engine as a corridor detector: it analyses the dominant face of a frame (the one
 * nearest that camera); a second traveller is found by the camera nearest them. The
 * reference given is a fixed unit vector: only the template, quality and liveness are used.
 */
export function engineDetector(engine: FaceEngine): FaceDetector {
  return {
    async detect(frame) {
      const r = await engine.verify(PROBE_REFERENCE, frame);
      if (!r.template || !r.quality || r.decision === 'no_face' || r.decision === 'poor_quality') return [];
      return [{ box: r.quality.box, quality: r.quality, template: r.template, liveness: r.liveness }];
    },
  };
}

export interface CorridorLoopDeps {
  cameras: readonly { id: string; camera: Pick<Camera, 'nextFrame' | 'latest'> }[];
  detector: FaceDetector;
  tracker: CorridorTracker;
  identifier: Identifier;
  decide: DecideOptions;
  /** Taps at the entry waiting for their traveller (1:1 instead of 1:N); absent: no entry reader. */
  taps?: TapPairing;
  clock: Clock;
  onError: (err: unknown) => void;
}

/**
 * The corridor's activity while in service: takes the newest frame of each camera in turn,
 * finds the faces, feeds the tracker, searches the tracks that are ready, and reports the
 * whole corridor after every frame. Decisions are final per track. Stops when told.
 */
export function runCorridorLoop(d: CorridorLoopDeps, report: (tracks: CorridorTrackReport[]) => void): () => void {
  let stopped = false;
  const decided = new Map<number, TrackDecision & { via: string }>();
  const known = new Set<number>();
  const lastSeq = new Map<string, number>();
  const observe = async (id: string, faces: FaceDetection[]): Promise<void> => {
    const now = d.clock.monotonic();
    d.tracker.observe({ camera: id, at: now, detections: faces });
    const live = new Set<number>();
    for (const v of d.tracker.views()) {
      live.add(v.id);
      // A track first seen now takes the oldest tap waiting at the entry.
      if (!known.has(v.id)) {
        known.add(v.id);
        d.taps?.claim(v.id, now);
      }
      if (decided.has(v.id) || !v.fused || !readyToDecide(v, d.decide)) continue;
      const paired = d.taps?.pairedWith(v.id);
      const c = await (paired?.identifier ?? d.identifier).identify(v.fused.template);
      if (stopped) return;
      const j = judge(v, c, d.decide);
      if (j) decided.set(v.id, { ...j, via: paired?.via ?? 'gallery' });
    }
    for (const k of known) if (!live.has(k)) known.delete(k);
    d.taps?.forget(live);
    report(reportOf(d.tracker, decided));
  };
  /**
   * One round: every camera's newest frame not yet processed (a slow round skips frames rather
   * than falling behind: latest-frame semantics), all in the face engine at once (its workers
   * take them in parallel), then observed in camera order; when no camera has a new one, wait
   * for the first camera's next frame (the cameras run at the same rate).
   */
  const round = async (): Promise<void> => {
    const fresh: { id: string; frame: Frame }[] = [];
    for (const cam of d.cameras) {
      const f = cam.camera.latest();
      if (f && f.seq > (lastSeq.get(cam.id) ?? 0)) fresh.push({ id: cam.id, frame: f });
    }
    if (fresh.length === 0) {
      const first = d.cameras[0]!;
      fresh.push({ id: first.id, frame: await first.camera.nextFrame(2000) });
    }
    if (stopped) return;
    for (const { id, frame } of fresh) lastSeq.set(id, frame.seq);
    const faces = await Promise.all(fresh.map(({ id, frame }) => d.detector.detect(frame, id)));
    for (let i = 0; i < fresh.length && !stopped; i++) await observe(fresh[i]!.id, faces[i]!);
  };
  void (async () => {
    while (!stopped) {
      try {
        await round();
      } catch (err) {
        if (stopped) break;
        d.onError(err);
        // A camera that rejects at once (stopped, faulted) must not spin the event loop.
        await new Promise<void>((r) => d.clock.setTimeout(r, 200));
      }
    }
  })();
  return () => {
    stopped = true;
  };
}

/** The tracker's tracks with their decisions, as the statechart reads them. */
export function reportOf(tracker: CorridorTracker, decided: ReadonlyMap<number, TrackDecision & { via: string }>): CorridorTrackReport[] {
  for (const id of decided.keys()) if (!tracker.view(id)) (decided as Map<number, unknown>).delete(id);
  return tracker.views().map((v) => {
    const j = decided.get(v.id);
    return {
      id: v.id,
      z: v.z,
      atExit: v.atExit,
      decision: j?.kind ?? null,
      subject: j?.kind === 'match' ? j.subject : null,
      score: j && j.kind !== 'spoof' ? j.score : null,
      liveness: j?.liveness ?? v.fused?.liveness ?? null,
      frames: v.frames,
      via: j?.via ?? null,
    };
  });
}
