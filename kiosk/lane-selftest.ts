import type { Clock } from './clock.ts';
import type { GateControl } from './control.ts';
import type { SelfTestCheck } from './control-types.ts';
import { errorCode } from './errors.ts';

/** How long each device gets to show it is alive. */
const WAIT_MS = 2000;

/**
 * A short check of the running gate's devices, without moving anything: the controller
 * answers a fresh poll, the camera delivers a new frame, and every scanner and the card
 * reader are present. It never touches the doors (that is `door cycle`, in maintenance).
 */
export async function laneSelfTest(control: GateControl, clock: Clock): Promise<{ ok: boolean; checks: SelfTestCheck[] }> {
  const d = control.gate.deps;
  const checks: SelfTestCheck[] = [];
  checks.push(await checkController(control, clock));
  try {
    const before = d.camera.latest()?.seq ?? 0;
    const f = await d.camera.nextFrame(WAIT_MS);
    checks.push({ device: 'camera', ok: true, detail: `frame ${f.seq} (${f.width}x${f.height}) after frame ${before}` });
  } catch (err) {
    checks.push({ device: 'camera', ok: false, detail: `no new frame within ${WAIT_MS} ms (${errorCode(err)})` });
  }
  for (const s of d.scanners) checks.push({ device: s.name, ok: !s.faulted, detail: s.faulted ? 'disconnected' : 'present' });
  if (d.card) checks.push({ device: 'card_reader', ok: !d.card.faulted, detail: d.card.faulted ? 'disconnected' : d.card.hasCard ? 'present, card on the reader' : 'present' });
  return { ok: checks.every((c) => c.ok), checks };
}

async function checkController(control: GateControl, clock: Clock): Promise<SelfTestCheck> {
  const door = control.gate.deps.door;
  const t0 = clock.monotonic();
  const at0 = door.snapshot().at;
  while (clock.monotonic() - t0 < WAIT_MS) {
    const s = door.snapshot();
    if (door.healthy && s.at > at0) {
      const closed = Object.entries(s.inputs).filter(([role, v]) => role.endsWith('_closed') || role.endsWith('_down') ? v : false).map(([r]) => r);
      const fw = s.registers.firmware_version;
      return { device: 'controller', ok: true, detail: `answers (${door.layout}; closed: ${closed.join(', ') || 'none'}${fw !== undefined ? `; firmware ${fw}` : ''})` };
    }
    await new Promise<void>((r) => clock.setTimeout(r, 50));
  }
  return { device: 'controller', ok: false, detail: door.healthy ? `no fresh poll within ${WAIT_MS} ms` : 'not answering' };
}
