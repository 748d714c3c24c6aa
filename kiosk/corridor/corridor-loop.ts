import type { Camera } from '../../drivers/camera/interface.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import { judge, readyToDecide, type DecideOptions, type TrackDecision } from './decide.ts';
import type { Identifier } from './identify-port.ts';
import type { CorridorTrackReport } from './passages.ts';
import type { CorridorTracker, FaceDetection } from './tracker.ts';

/** Finds faces in one camera frame (template, quality, liveness each). */
export interface FaceDetector {
  detect(frame: Parameters<FaceEngine['verify']>[1]): Promise<FaceDetection[]>;
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
  cameras: readonly { id: string; camera: Pick<Camera, 'nextFrame'> }[];
  detector: FaceDetector;
  tracker: CorridorTracker;
  identifier: Identifier;
  decide: DecideOptions;
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
  const step = async (cam: CorridorLoopDeps['cameras'][number]): Promise<void> => {
    const frame = await cam.camera.nextFrame(2000);
    if (stopped) return;
    const faces = await d.detector.detect(frame);
    if (stopped) return;
    d.tracker.observe({ camera: cam.id, at: d.clock.monotonic(), detections: faces });
    for (const v of d.tracker.views()) {
      if (decided.has(v.id) || !v.fused || !readyToDecide(v, d.decide)) continue;
      const c = await d.identifier.identify(v.fused.template);
      const j = judge(v, c, d.decide);
      if (j) decided.set(v.id, { ...j, via: 'gallery' });
    }
    report(reportOf(d.tracker, decided));
  };
  void (async () => {
    while (!stopped) {
      for (const cam of d.cameras) {
        if (stopped) break;
        try {
          await step(cam);
        } catch (err) {
          if (stopped) break;
          d.onError(err);
        }
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
