import type { FaceVerdict, GateIo, TokenVerdict } from './types.ts';

/** What the crossing engine hears: every input is one of these events. */
export type CrossingEvent =
  /** A token was read. `token` is opaque to the machine; the token-check actor consumes it. */
  | { type: 'TOKEN_READ'; channel: 'qr' | 'card' | 'passport'; token: unknown }
  /** The controller's latest input snapshot (sent on every change). */
  | { type: 'IO'; io: GateIo }
  /** A face frame was judged (sent by the face-verification actor for each frame). */
  | { type: 'FACE_RESULT'; result: FaceVerdict }
  | { type: 'DEVICE_FAULT'; device: string; code: string }
  | { type: 'DEVICE_OK'; device: string }
  /** The fire input, debounced by the binding; sent once at start-up whatever its value. */
  | { type: 'FIRE_ALARM'; active: boolean }
  /** A door (or the arm) read open while commanded closed: latched until a technician's maintenance. */
  | { type: 'DOOR_FORCED'; door: string }
  | { type: 'SET_MODE'; mode: 'in_service' | 'out_of_service' | 'maintenance'; by: string }
  | { type: 'RESET'; by: string };

export type { TokenVerdict };
