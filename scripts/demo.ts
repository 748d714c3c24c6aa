/**
 * `demo [--scenario S.json] [--profile P] [--json]`: runs a complete gate in simulation and
 * plays each traveller of the scenario through it; prints one line per crossing and a
 * summary (with --json, the report as the last stdout line). `npm start` without a config
 * runs the built-in scenario this way.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { GateControl } from '../kiosk/control.ts';
import { startDisplayServer, type DisplayServer, type DisplaySource } from '../kiosk/display/server.ts';
import { EgateError } from '../kiosk/errors.ts';
import { createLogger, silentLogger, type Logger } from '../kiosk/log.ts';
import { createPrettyLogger, logFormat } from '../kiosk/service/pretty-log.ts';
import { loadScenario, type Scenario } from './sim/scenario.ts';
import { startSimulation } from './sim/simulation.ts';
import { crossingLine, report, summaryTable, tableHeader } from './sim/summary.ts';
import type { CrossingResult } from './sim/world.ts';
import { builtinScenario, demoPhotos } from './sim/builtin.ts';
import { runCorridorDemo } from './sim/corridor-demo.ts';
import { runPhotoDemo } from './sim/photo-demo.ts';
import { runCollectionDemo } from './sim/collection-demo.ts';
import { runRegistrationDemo } from './sim/registration-demo.ts';
import { runCounterDemo } from './sim/counter-demo.ts';

export interface DemoOptions {
  scenario?: string;
  profile?: string;
  json?: boolean;
  verbose?: boolean;
  displayPort?: string;
}

const PROFILES = ['pedestrian', 'vehicle', 'express', 'walkthrough', 'photo', 'collection', 'registration', 'counter'];

/** The simulation's options, shared by `npm run demo` and `npm start` (without a configuration). */
export function demoOptions(cmd: Command): Command {
  return cmd
    .option('--scenario <file>', 'scenario JSON (default: the built-in scenario)')
    .addOption(new Option('--profile <profile>', 'lane profile of the simulated gate').choices(PROFILES))
    .option('--json', 'print the report as JSON on the last stdout line (progress goes to stderr)')
    .option('--verbose', 'gate logs to stderr')
    .option('--display-port <port>', 'serve the traveller display on this port ("off": none); default config local.displayPort', (v) => {
      if (v !== 'off' && !/^\d+$/.test(v)) throw new InvalidArgumentError('a port number or "off"');
      return v;
    });
}

/** Serves the display for the simulated gate; a busy port is named and the demo goes on without it. */
export async function serveDemoDisplay(control: DisplaySource, host: string, port: number, log: Logger, out: (l: string) => void): Promise<DisplayServer | undefined> {
  try {
    const display = await startDisplayServer(control, { host, port, log });
    out(`traveller display: ${display.url}`);
    return display;
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code ?? '';
    const why = code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : (err as Error).message;
    out(`traveller display not served: ${why}; the demo goes on without it (--display-port N to move it, off for none)`);
    return undefined;
  }
}

export async function runDemo(opts: DemoOptions): Promise<number> {
  // The walk-through corridor: a gate built by buildGate on a simulated clock, faces rendered into its camera twins (issue 19).
  if (opts.profile === 'walkthrough') return runCorridorDemo(opts.json ? { json: true } : {});
  // The passport-application photo kiosk plays its scenarios in its own twin (scripts/sim/photo-world.ts; issue 15).
  if (opts.profile === 'photo') return (await runPhotoDemo(opts.json ? { json: true } : {})).code;
  // The smart-ID collection kiosk plays its scenarios in its own twin (scripts/sim/collection-world.ts; issue 14 §5).
  if (opts.profile === 'collection') return (await runCollectionDemo(opts.json ? { json: true } : {})).code;
  // The visitor self-registration kiosk plays its scenarios in its own twin (scripts/sim/registration-world.ts; issue 14 §5).
  if (opts.profile === 'registration') return (await runRegistrationDemo(opts.json ? { json: true } : {})).code;
  // The officer's counter camera plays its scenarios in its own twin (scripts/sim/counter-world.ts; issue 15 §4-5).
  if (opts.profile === 'counter') return (await runCounterDemo(opts.json ? { json: true } : {})).code;
  const out = (line: string): void => {
    if (opts.json) process.stderr.write(line + '\n');
    else console.log(line);
  };
  const photos = demoPhotos();
  let scenario: Scenario = opts.scenario ? loadScenario(opts.scenario) : builtinScenario((opts.profile ?? 'pedestrian') as Scenario['profile'], photos);
  if (opts.profile && opts.scenario) scenario = { ...scenario, profile: opts.profile as Scenario['profile'] };
  const photosDir = scenario.photos ?? photos.dir;
  // --verbose: the gate's log on stderr (stdout carries the table, or the JSON report), readable on a terminal.
  const log = !opts.verbose
    ? silentLogger()
    : logFormat(process.env, process.stderr.isTTY === true) === 'pretty'
      ? createPrettyLogger({ level: 'debug', out: process.stderr })
      : createLogger({ level: 'debug', destination: process.stderr });
  out(`egate demo — scenario "${scenario.name}", profile ${scenario.profile}, ${scenario.travellers.length} travellers, photos from ${scenario.photos ?? photos.source}`);
  const sim = await startSimulation(scenario, { photosDir, spoofPhoto: photos.spoof, log, say: out });
  out(`door controller: ${sim.doorLink}`);
  // Faults are part of the story an operator reads: print them as they happen.
  // Faults seen during a crossing are named again on its line if it went wrong.
  let faults: string[] = [];
  sim.gate.bus.on('journal', (j) => {
    if (j.type === 'device_fault' || j.type === 'device_recovered') out(`    ${j.type.replace('_', ' ')}: ${String(j.data.device)} ${String(j.data.code ?? '')}`);
    if (j.type === 'device_fault') faults.push(`${String(j.data.device)} ${String(j.data.code ?? '')}`.trim());
  });
  // The traveller display follows the simulated gate, so a person can watch the screens.
  let display: DisplayServer | undefined;
  const port = opts.displayPort ?? String(sim.gate.deps.config.local.displayPort);
  if (port !== 'off') display = await serveDemoDisplay(new GateControl(sim.gate), sim.gate.deps.config.local.displayHost, Number(port), log, out);
  const results: CrossingResult[] = [];
  try {
    out('waiting for the gate to come into service…');
    const timeout = 20_000 + Object.values(scenario.timings).reduce((a, b) => a + b, 0) + 60_000;
    for (const [i, t] of scenario.travellers.entries()) {
      if (i === 0) out(tableHeader());
      faults = [];
      const r = await sim.world.cross(t, sim.subOf(t), timeout);
      results.push(r);
      out(crossingLine(i + 1, r, t.token, t.behaviour, faults));
    }
  } finally {
    await display?.stop();
    await sim.close();
  }
  const rep = report(results);
  out(summaryTable(rep));
  if (opts.json) console.log(JSON.stringify(rep));
  return rep.summary.mismatches === 0 ? 0 : 1;
}

const stem = (p: string): string => p.split('/').pop()!.replace(/\.(m?js|ts)$/, '');
const isMain = process.argv[1] !== undefined && stem(process.argv[1]) === 'demo' && stem(new URL(import.meta.url).pathname) === 'demo';
if (isMain) {
  const program = demoOptions(new Command('demo').description('run a complete simulated gate through a scenario')).showHelpAfterError('(--help lists the options)').parse();
  try {
    process.exitCode = await runDemo(program.opts<DemoOptions>());
  } catch (err) {
    console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
    process.exitCode = 2;
  }
  // Worker threads and handles of a failed run must not keep the process alive.
  setTimeout(() => process.exit(), 200).unref();
}
