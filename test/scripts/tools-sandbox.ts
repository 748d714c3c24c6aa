import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';

/**
 * Issue 12 item 7: every tool answers --help with a usage line and no side effect
 * (make-passport wrote 22 passports, `npm run peers -- --help` ran apt-get), and an expected
 * error (here an unknown option) is one line, never a stack trace. Each tool runs in an empty
 * directory with an empty HOME and TMPDIR, and with the programs a tool could change the machine
 * with (apt-get, dpkg-query, npm, openssl, socat…) replaced by stand-ins that leave a file.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = /new Command\(|process\.argv/;
export const TOOLS = [
  ...readdirSync(join(ROOT, 'scripts'))
    .filter((f) => f.endsWith('.ts') && ENTRY.test(readFileSync(join(ROOT, 'scripts', f), 'utf8')))
    .map((f) => `scripts/${f}`),
  ...readdirSync(join(ROOT, 'bin')).map((f) => `bin/${f}`),
].sort();
const STAND_INS = ['apt-get', 'apt', 'dpkg-query', 'npm', 'openssl', 'socat', 'pcscd', 'mosquitto', 'chromium', 'ffmpeg', 'mbpoll', 'python3', 'tmux', 'stress-ng', 'psql'];
const uid = process.getuid?.() ?? 0;
const tsxCache = join(tmpdir(), `tsx-${uid}`);

interface Sandbox {
  root: string;
  cwd: string;
  home: string;
  tmp: string;
  env: NodeJS.ProcessEnv;
}

function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'egate-tool-'));
  const [cwd, home, tmp, bin] = ['cwd', 'home', 'tmp', 'bin'].map((d) => join(root, d)) as [string, string, string, string];
  for (const d of [cwd, home, tmp, bin]) mkdirSync(d);
  for (const p of STAND_INS) {
    writeFileSync(join(bin, p), `#!/bin/sh\necho "$0 $*" >> "${cwd}/ran-${p}"\nexit 0\n`);
    chmodSync(join(bin, p), 0o755);
  }
  // tsx keeps its compile cache in $TMPDIR/tsx-<uid>: share the warm one, it is not the tool's doing.
  mkdirSync(tsxCache, { recursive: true });
  symlinkSync(tsxCache, join(tmp, `tsx-${uid}`));
  const env = { ...process.env, HOME: home, TMPDIR: tmp, PATH: `${bin}:${process.env.PATH}`, EGATE_CONFIG: '', CI: '' };
  return { root, cwd, home, tmp, env };
}

/** Files anywhere in the sandbox's cwd, HOME and TMPDIR (the tsx cache link aside). */
function written(s: Sandbox): string[] {
  const walk = (d: string, base: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.name === `tsx-${uid}` && d === s.tmp ? [] : e.isDirectory() ? [join(base, e.name) + '/', ...walk(join(d, e.name), join(base, e.name))] : [join(base, e.name)]));
  return [...walk(s.cwd, 'cwd'), ...walk(s.home, 'HOME'), ...walk(s.tmp, 'TMPDIR')];
}

function run(tool: string, args: string[], s: Sandbox): Promise<{ code: number; out: string; err: string }> {
  // tsx by URL: the sandbox's cwd has no node_modules to find it from.
  const argv = tool.endsWith('.mjs') ? [join(ROOT, tool), ...args] : ['--import', import.meta.resolve('tsx'), join(ROOT, tool), ...args];
  return new Promise((resolve) => {
    // 180 s guards a hang only: at load 30 a cold tsx start of the demo took over 60 s, and a kill by the timeout read as 'exits 1'.
    execFile(process.execPath, argv, { cwd: s.cwd, env: s.env, timeout: 180_000 }, (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: out, err: (e as { killed?: boolean } | null)?.killed ? `killed after 180 s without an answer\n${err}` : err }));
  });
}

interface Outcome {
  tool: string;
  problems: string[];
}

async function check(tool: string): Promise<Outcome> {
  const s = sandbox();
  const problems: string[] = [];
  try {
    const help = await run(tool, ['--help'], s);
    if (help.code !== 0) problems.push(`--help exits ${help.code}: ${(help.err || help.out).trim().split('\n')[0]}`);
    if (!/^Usage: \S/m.test(help.out)) problems.push(`--help prints no usage line: ${JSON.stringify(help.out.slice(0, 120))}`);
    const after = written(s);
    if (after.length) problems.push(`--help left files: ${after.join(', ')}`);
    // bin/* only imports its script: the script's own run checks the error path.
    if (tool.startsWith('bin/')) return { tool, problems };
    const bad = await run(tool, ['--no-such-option'], s);
    if (bad.code === 0) problems.push('an unknown option exits 0');
    if (/\n\s+at .+:\d+:\d+\)?\n/.test(bad.err + bad.out)) problems.push(`an unknown option prints a stack trace: ${bad.err.split('\n').slice(0, 2).join(' | ')}`);
    // commander reports a missing required option before an unknown one: either is a one-line usage error.
    if (!/unknown option|required option/i.test(bad.err)) problems.push(`an unknown option is not named: ${JSON.stringify(bad.err.slice(0, 160))}`);
    const later = written(s);
    if (later.length) problems.push(`an unknown option left files: ${later.join(', ')}`);
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
  return { tool, problems };
}

/** Checks a share of the tools (every `of`-th, from `part`), three at a time; one test file per share keeps each under a minute. */
export async function checkShare(part: number, of: number): Promise<string[]> {
  assert.ok(TOOLS.length >= 20, `found tools: ${TOOLS.join(' ')}`);
  const queue = TOOLS.filter((_, i) => i % of === part);
  const outcomes: Outcome[] = [];
  // Each is a Node start with tsx, most of it waiting on the loaded machine.
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) outcomes.push(await check(t));
    }),
  );
  return outcomes.filter((o) => o.problems.length).map((o) => `${o.tool}:\n    ${o.problems.join('\n    ')}`);
}
