import { Command } from 'commander';
import type { JournalEvent } from '../journal/index.ts';
import { readCredentials } from './credentials.ts';
import { CliError } from './errors.ts';
import * as fmt from './format.ts';
import { configFile, defaultConfigPath } from './locate.ts';
import { lockedUntil } from './lockout.ts';

type Out = (line: string) => void;
type Call = (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** `journal tail -f` asks the gate this often; events journalled in between come in one page. */
const FOLLOW_POLL_MS = 1000;
const FOLLOW_PAGE = 500;

/**
 * `journal tail -f`: the last `n` events, then every new one as the gate journals it, until
 * interrupted. A burst larger than a page is fetched page by page, so nothing is skipped.
 */
export async function followJournal(n: number, call: Call, out: Out, json: boolean, stop: () => boolean = () => false): Promise<void> {
  const show = (events: JournalEvent[]): void => {
    if (json) for (const e of events) out(JSON.stringify(e));
    else if (events.length) fmt.printEvents(events, out);
  };
  const first = (await call('journal.tail', { n })) as { events: JournalEvent[]; lastSeq: number };
  show(first.events);
  let last = first.lastSeq;
  while (!stop()) {
    const r = (await call('journal.tail', { n: FOLLOW_PAGE, after: last })) as { events: JournalEvent[] };
    show(r.events);
    if (r.events.length) last = r.events.at(-1)!.seq;
    if (r.events.length < FOLLOW_PAGE) await sleep(FOLLOW_POLL_MS);
  }
}

/** A bash completion script for the whole command tree (`source <(egate completion bash)`). */
export function bashCompletion(program: Command): string {
  const cases: string[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    const words = [...cmd.commands.map((c) => c.name()), ...cmd.options.map((o) => o.long ?? o.short ?? '').filter(Boolean), '--help'];
    cases.push(`    "${path.join(' ')}") opts="${words.join(' ')}" ;;`);
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  const name = program.name();
  return `# bash completion for ${name}: source <(${name} completion bash), or save it in /etc/bash_completion.d/${name}
_${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w i
  # The command path typed so far: words that are not options and not an option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      --socket|--config|--session-file|--technician|--key-file|--credentials|--new-key-file|-n|--lines|-o|--output|--from|--to) ((i++)) ;;
      -*) ;;
      *) path="\${path:+$path }$w" ;;
    esac
  done
  local opts=""
  case "$path" in
${cases.join('\n')}
    *) opts="" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -o default -F _${name}_complete ${name}
`;
}

/** The commands that need no gate or that only read local files, and technician unlock. */
export function addMoreCommands(program: Command, deps: { call: Call; credentialsPath: (given?: string) => string; out: Out }): void {
  const { out } = deps;
  const config = program.commands.find((c) => c.name() === 'config')!;
  config
    .command('check [file]')
    .description(`validate a config file and list every missing key or list with the command that makes it (default: --config, EGATE_CONFIG, ${defaultConfigPath()}); no gate needed`)
    .action(async (file: string | undefined) => {
      const path = file ?? configFile(program.opts<{ config?: string }>().config)?.path;
      if (!path) throw new CliError('NO_CONFIG', `no config file given, EGATE_CONFIG unset and nothing at ${defaultConfigPath()}`);
      // Loaded on demand: the check opens what the gate would (models, stores' paths), the other commands need none of it.
      const { checkConfigFile, formatConfigCheck } = await import('../config-check.ts');
      const r = formatConfigCheck(checkConfigFile(path));
      for (const l of r.lines) out(l);
      if (!r.ok) process.exitCode = 1;
    });

  const tech = program.commands.find((c) => c.name() === 'technician')!;
  tech
    .command('list')
    .description('technicians in the credentials file, how each logs in, and who is locked out (no gate needed)')
    .option('--credentials <file>', 'credentials file')
    .action((opts: { credentials?: string }) => {
      const path = deps.credentialsPath(opts.credentials);
      const file = readCredentials(path);
      const ids = Object.keys(file.technicians).sort();
      const locks = lockedUntil(`${path}.lockout.json`, ids, Date.now());
      for (const id of ids) {
        const e = file.technicians[id]!;
        const lock = locks[id] ? `  LOCKED until ${new Date(locks[id]).toISOString()} (egate technician unlock ${id})` : '';
        out(`${id.padEnd(20)} ${e.kind === 'key' ? 'key file' : 'PIN     '}  added ${e.createdAt}${lock}`);
      }
      out(`${ids.length} technician(s) in ${path}`);
    });
  tech
    .command('unlock <id>')
    .description("clear a technician's lockout after failed logins (asks the gate, which holds the counters)")
    .action(async (id: string) => {
      const r = (await deps.call('technician.unlock', { id })) as { id: string; wasLocked: boolean };
      out(r.wasLocked ? `technician ${r.id} unlocked` : `technician ${r.id} was not locked (counters cleared)`);
    });

  program
    .command('completion [shell]')
    .description('print the shell completion script (bash): source <(egate completion bash)')
    .action((shell: string | undefined) => {
      if (shell && shell !== 'bash') throw new CliError('BAD_REQUEST', `no completion for ${shell}: bash only`);
      process.stdout.write(bashCompletion(program));
    });
}
