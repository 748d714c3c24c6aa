import { fromCallback, type AnyStateMachine, type EventObject, type SnapshotFrom } from 'xstate';
import type { GateConfig } from '../../config/schema.ts';
import { createCamera } from '../../drivers/camera/index.ts';
import { operatingPointFor, type FaceEngine, type FaceReference } from '../biometrics/index.ts';
import { checkLaneCard } from '../card/lane-card.ts';
import type { Clock } from '../clock.ts';
import type { CrossingEvent } from '../crossing/events.ts';
import type { TokenVerdict } from '../crossing/types.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import type { GateProfile } from '../gate.ts';
import { decideIdentification, GalleryIndex, identificationPolicy, loadIdentificationPoints } from '../identify/index.ts';
import type { Logger } from '../log.ts';
import type { TokenVerifier } from '../tokens/verifier.ts';
import { CorridorCameras } from './cameras.ts';
import { engineDetector, runCorridorLoop, type FaceDetector } from './corridor-loop.ts';
import type { CorridorGeometry } from './geometry.ts';
import type { Identifier } from './identify-port.ts';
import { TapPairing } from './token-tap.ts';
import { CorridorTracker } from './tracker.ts';
import { walkthroughMachine } from './walkthrough-machine.ts';
import { walkthroughOutputs } from './walkthrough-outputs.ts';
import { walkthroughScreen } from './walkthrough-screen.ts';

export interface CorridorPartsDeps {
  clock: Clock;
  log: Logger;
  engine: FaceEngine;
  references: ReferenceStore;
  verifier: TokenVerifier;
  pseudonym: (sub: string) => string;
  /** What finds the faces in a camera's frame: the face engine, unless the simulation gives its own view. */
  detector?: FaceDetector;
}

export interface CorridorParts {
  profile: GateProfile;
  /** All corridor cameras as the one camera the gate starts, stops and watches for faults. */
  camera: CorridorCameras;
  geometry: CorridorGeometry;
}

/** The configured corridor as geometry: camera places and focal lengths in pixels from the lens's field of view. */
export function corridorGeometry(c: GateConfig['corridor']): CorridorGeometry {
  return {
    lengthM: c.lengthM,
    exitZoneM: c.exitZoneM,
    cameras: c.cameras.map((k) => ({ id: k.id, z: k.z, x: k.x, width: k.camera.width, height: k.camera.height, focalPx: k.camera.width / (2 * Math.tan((k.hfovDeg * Math.PI) / 360)) })),
  };
}

/**
 * The walk-through e-Channel's parts (issue 19) for the gate builder: its N cameras, and the
 * walkthrough profile whose corridor loop runs them — tracker, decision rule, the 1:N search
 * of opted-in residents at the FPIR the corridor is configured for, and the entry tap (1:1
 * with the token's reference). The gallery is loaded each time the corridor enters service
 * (enrolment changes made while out of service are then in it); a gallery that cannot be
 * loaded or has no calibrated threshold keeps the corridor out of service.
 */
export function createCorridorParts(config: GateConfig, deps: CorridorPartsDeps): CorridorParts {
  const { clock, log } = deps;
  const c = config.corridor;
  const geometry = corridorGeometry(c);
  const camera = new CorridorCameras(c.cameras.map((k) => ({ id: k.id, camera: createCamera(k.camera, { clock, log: log.child({ camera: k.id }) }) })));
  const inner = deps.detector ?? engineDetector(deps.engine);
  // Frames in the engine right now, so stopping the cameras can wait for them (cameras.ts settle).
  const inflight = new Set<Promise<unknown>>();
  const detector: FaceDetector = {
    detect(frame, id) {
      const p = inner.detect(frame, id);
      inflight.add(p);
      void p.then(() => inflight.delete(p), () => inflight.delete(p));
      return p;
    },
  };
  camera.settle = () => Promise.allSettled([...inflight]);
  const points = loadIdentificationPoints();
  const checkTap = async (channel: string, token: unknown): Promise<TokenVerdict> => {
    if (channel === 'card') return checkLaneCard(token, { gateId: config.gate, verifier: deps.verifier, reference: (sub: string) => deps.references.get(sub), pseudonym: deps.pseudonym });
    const input = typeof token === 'string' || token instanceof Uint8Array ? token : '';
    const r = await deps.verifier.verify(input, 'qr');
    if (!r.ok) return { ok: false, tokenType: 'mobile', reason: r.reason };
    const ref = deps.references.get(r.sub);
    const subject = deps.pseudonym(r.sub);
    if (!ref) return { ok: false, tokenType: r.kind, reason: 'NOT_ENROLLED', subject };
    return { ok: true, tokenType: r.kind, subject, reference: { template: ref.template, source: 'enrolment' } satisfies FaceReference };
  };
  const corridorLoop = fromCallback<EventObject, Record<string, never>>(({ sendBack, receive }) => {
    let gallery: GalleryIndex;
    let identifier: Identifier;
    try {
      gallery = GalleryIndex.build(deps.references.optedInReferences());
      const policy = identificationPolicy(points, gallery.size, c.fpir);
      identifier = {
        async identify(probe) {
          const d = decideIdentification(await gallery.searchAsync(probe, 2), policy);
          return d.decision === 'identified' ? { subject: deps.pseudonym(d.sub), score: d.score } : null;
        },
      };
      log.info({ gallery: gallery.size, policy: policy.name }, 'corridor gallery loaded');
    } catch (err) {
      log.error({ code: (err as { code?: string }).code, err: (err as Error).message }, 'corridor gallery not loaded: out of service');
      sendBack({ type: 'CORRIDOR_FAULT', code: (err as { code?: string }).code ?? 'GALLERY' });
      return () => {};
    }
    const taps = new TapPairing();
    receive((e) => {
      if (e.type !== 'TOKEN_READ') return;
      const { channel, token } = e as Extract<CrossingEvent, { type: 'TOKEN_READ' }>;
      void checkTap(channel, token).then(
        (v) => {
          if (!v.ok) return log.info({ reason: v.reason, token_type: v.tokenType }, 'entry tap refused: the traveller is searched 1:N');
          const ref = v.reference as FaceReference;
          taps.add({ subject: v.subject, reference: ref.template, threshold: operatingPointFor(config.face, ref).threshold, via: v.tokenType }, clock.monotonic());
        },
        (err: unknown) => log.warn({ err: (err as Error).message }, 'entry tap not checked'),
      );
    });
    const stop = runCorridorLoop(
      {
        cameras: camera.cameras,
        detector,
        tracker: new CorridorTracker({ geometry }),
        identifier,
        taps,
        decide: { minFrames: c.minFrames, decisionLineM: c.decisionLineM, corridorLengthM: c.lengthM, livenessThreshold: c.livenessThreshold },
        clock,
        onError: (err) => log.warn({ code: (err as { code?: string }).code, err: (err as Error).message }, 'corridor frame failed'),
      },
      (tracks) => sendBack({ type: 'CORRIDOR', tracks }),
    );
    return () => {
      stop();
      gallery.close();
    };
  });
  const machine = walkthroughMachine.provide({ actors: { corridorLoop } }) as unknown as AnyStateMachine;
  type Snap = SnapshotFrom<AnyStateMachine>;
  const profile: GateProfile = {
    machine,
    outputsFor: (s: Snap) => walkthroughOutputs(s as never) as unknown as Record<string, boolean>,
    screenFor: (s: Snap) => walkthroughScreen(s as never),
    channels: { scanner: 'qr', card: 'card' },
  };
  return { profile, camera, geometry };
}
