/**
 * The messages between the launcher (kiosk/update/launcher.ts, the service's main process)
 * and the release it runs (a child with a Node IPC channel). The release side for the gate
 * is kiosk/update/release-link.ts.
 *
 * launcher → release
 *   drain    finish the crossing in progress, take the lane out of service, doors closed
 *   resume   back in service (after the switch, or after a rollback)
 *   health?  report the health checks the release runs on itself
 *   self_test?  run one simulated crossing on the door twin (genuine, then impostor)
 * release → launcher
 *   ready    started: devices opened, control loop running (the service's READY)
 *   drained  the lane serves nobody and its doors are closed
 *   resumed  in service again
 *   health   devices (each healthy or with its fault code) and named self-checks
 *   self_test  the self-test crossing's outcomes; ok only for CLEARED then REJECTED_FACE
 */
export interface DeviceHealth {
  healthy: boolean;
  code?: string;
}

export interface SelfCheck {
  ok: boolean;
  detail?: string;
}

export type ToRelease = { t: 'drain' } | { t: 'resume' } | { t: 'health?' } | { t: 'self_test?' };

export type FromRelease =
  | { t: 'ready'; release?: string }
  | { t: 'drained' }
  | { t: 'drain_refused'; reason: string }
  | { t: 'resumed' }
  | { t: 'health'; devices: Record<string, DeviceHealth>; checks: Record<string, SelfCheck> }
  | { t: 'self_test'; ok: boolean; outcomes: Record<string, string>; detail?: string; ms: number };

export function isFromRelease(m: unknown): m is FromRelease {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}
