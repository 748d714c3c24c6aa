import type { GateStatus, SelfTestCheck } from '../control-types.ts';
import type { JournalEvent, VerifyResult } from '../journal/index.ts';

/** Human-readable answers; `--json` prints the gate's result as it came instead. */
type Out = (line: string) => void;

export function printStatus(s: GateStatus & { sync: unknown }, out: Out): void {
  out(`gate ${s.gate} (${s.profile}, site ${s.site}) version ${s.version}, up since ${s.startedAt}`);
  out(`mode ${s.mode} (${s.state})${s.inCrossing ? ', crossing in progress' : ''}`);
  out(`devices: ${Object.entries(s.devices).map(([d, h]) => `${d} ${h.healthy ? 'ok' : `FAULT ${h.code ?? ''}`.trim()}`).join(', ')}`);
  if (s.io) {
    const inputs = Object.entries(s.io.inputs).sort(([a], [b]) => a.localeCompare(b));
    const doors = inputs.filter(([k]) => /_closed$|^barrier_/.test(k)).map(([k, v]) => `${k.replace(/_closed$/, '')} ${/_closed$/.test(k) ? (v ? 'closed' : 'OPEN') : v ? 'yes' : 'no'}`);
    const sensors = inputs.filter(([k]) => !/_closed$|^barrier_/.test(k)).map(([k, v]) => `${k} ${v ? 'ON' : 'off'}`);
    out(`doors: ${doors.join(', ') || 'no reading yet'}`);
    out(`sensors: ${[...sensors, ...Object.entries(s.io.registers).map(([k, v]) => `${k} ${v}`)].join(', ') || 'no reading yet'}`);
  }
  out(`last crossing: ${s.lastCrossing ? `${s.lastCrossing.outcome} (${s.lastCrossing.reason}) at ${s.lastCrossing.at}` : 'none since start'}`);
  const j = s.journal;
  out(`journal: last seq ${j.lastSeq}, delivered up to ${j.deliveredSeq}, sync backlog ${j.unsent} event(s), ${(j.diskBytes / 1024).toFixed(1)} KiB`);
  out(`sync: ${s.sync === null ? 'not enabled' : JSON.stringify(s.sync)}`);
}

export function printSelfTest(r: { ok: boolean; checks: SelfTestCheck[] }, out: Out): void {
  for (const c of r.checks) out(`  ${c.device.padEnd(14)} ${c.ok ? 'ok  ' : 'FAIL'} ${c.detail}`);
  out(r.ok ? 'self-test passed' : 'self-test FAILED');
}

export function printEvents(events: JournalEvent[], out: Out): void {
  for (const e of events) out(`${String(e.seq).padStart(6)} ${e.ts} ${e.type.padEnd(20)} ${JSON.stringify(e.data)}`);
  if (events.length === 0) out('(journal empty)');
}

export function printVerify(r: VerifyResult, out: Out): void {
  if (r.ok) out(`journal OK: ${r.events} events, seq ${r.anchorSeq + 1}..${r.lastGoodSeq}, chain verifies`);
  else out(`journal BAD: first bad event seq ${r.firstBad?.seq} (${r.firstBad?.reason}: ${r.firstBad?.detail}); good up to seq ${r.lastGoodSeq}`);
}

export function printReferences(refs: { sub: string; source: string; enrolledAt: string; updatedAt: string }[], out: Out): void {
  for (const r of refs) out(`${r.sub.padEnd(20)} ${r.source.padEnd(10)} enrolled ${r.enrolledAt} updated ${r.updatedAt}`);
  out(`${refs.length} reference(s)`);
}

export function printIssues(r: { valid: boolean; issues: { path: string; message: string }[] }, out: Out): void {
  if (r.valid) out('configuration is valid');
  else {
    out('configuration is INVALID:');
    for (const i of r.issues) out(`  - ${i.path || '(root)'}: ${i.message}`);
  }
}
