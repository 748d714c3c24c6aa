/**
 * What scripts/run-tests.ts adds to a failed or long-running test file's report: the errors
 * of hooks that threw (printed by test/helpers/uvu-guard.mjs), who holds a port or socket a
 * test could not listen on, peers left orphaned by an earlier run, and progress.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Tests done so far in uvu's output (one • or ✘ per finished test, FORCE_COLOR=0). */
export function testsDone(output: string): { done: number; failed: number } {
  const marks = output.match(/[•✘]/g) ?? [];
  return { done: marks.length, failed: marks.filter((m) => m === '✘').length };
}

export function progressLine(file: string, ms: number, output: string): string {
  const { done, failed } = testsDone(output);
  return `...  ${file} still running after ${Math.round(ms / 1000)} s: ${done} test${done === 1 ? '' : 's'} done${failed ? `, ${failed} failed` : ''}`;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch {
    return '';
  }
}

/** `"name",pid=N` pairs of an `ss -p` line. */
function holders(ssOutput: string): string[] {
  return [...new Set([...ssOutput.matchAll(/\("([^"]+)",pid=(\d+)/g)].map((m) => `${m[1]} (pid ${m[2]}${age(Number(m[2]))})`))];
}

function age(pid: number): string {
  const s = run('ps', ['-o', 'etimes=', '-p', String(pid)]).trim();
  return s ? `, running ${s} s` : '';
}

/** Who holds the ports and socket paths the output says were in use. */
export function busyAddresses(output: string): string[] {
  const notes: string[] = [];
  const ports = new Set([...output.matchAll(/EADDRINUSE[^\n]*?:(\d{2,5})\b/g)].map((m) => m[1]!));
  for (const port of ports) {
    const who = holders(run('ss', ['-Hltnp', `sport = :${port}`]));
    notes.push(`port ${port} is in use${who.length ? ` by ${who.join(', ')}` : ' (holder not visible: another user or namespace)'}`);
  }
  const paths = new Set([...output.matchAll(/EADDRINUSE[^\n]*?\s(\/[^\s'"]+)/g)].map((m) => m[1]!));
  for (const path of paths) {
    const line = run('ss', ['-Hxlp']).split('\n').filter((l) => l.includes(path)).join('\n');
    const who = holders(line);
    notes.push(`socket ${path} is in use${who.length ? ` by ${who.join(', ')}` : ' (a stale file: nobody listens, remove it)'}`);
  }
  return notes;
}

/** The `HOOK FAILED:` headline and the error line under it, for each hook that threw. */
export function hookErrors(output: string): string[] {
  const lines = output.split('\n');
  const out: string[] = [];
  lines.forEach((l, i) => {
    const at = l.indexOf('HOOK FAILED: ');
    if (at >= 0) out.push(`${l.slice(at + 'HOOK FAILED: '.length)}: ${lines[i + 1] ?? ''}`);
  });
  return out;
}

const PEERS = /^(socat|mosquitto|pcscd|vicc|vpcd|chromium|chrome|postgres|mbpoll|ffmpeg)$|modbus_slave|sim-controller|vicc/;

/** Test peers whose test process is gone (reparented to init) and that started before this run. */
export function orphanedPeers(startedBeforeMs: number): string[] {
  const bootS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const hz = 100;
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      const startedMs = Date.now() - (bootS - Number(f[19]) / hz) * 1000;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (ppid === 1 && startedMs < startedBeforeMs && (PEERS.test(name) || PEERS.test(cmd))) out.push(`${name} (pid ${pid}): ${cmd.slice(0, 100)}`);
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

/** Every note for a failed file: hooks, busy addresses, and orphaned peers that may be the cause. */
export function explainFailure(output: string, runStartedMs: number): string[] {
  const notes = [...hookErrors(output).map((h) => `hook failed: ${h}`), ...busyAddresses(output)];
  const orphans = orphanedPeers(runStartedMs);
  if (orphans.length) notes.push(`test peers started before this run whose parent is gone (left by an earlier run, or daemonized): ${orphans.join('; ')}`);
  return notes;
}
