// @serial — a whole vehicle gate (face engine, Modbus over a pty, journal) for a dozen cars.
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../kiosk/log.ts';
import { verifyJournal } from '../../kiosk/journal/index.ts';
import { scenarioSchema, type Scenario } from '../../scripts/sim/scenario.ts';
import { startSimulation, type Simulation } from '../../scripts/sim/simulation.ts';
import type { VehicleWorld } from '../../scripts/sim/vehicle-world.ts';
import { peerSuite } from '../helpers/suite.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FACES = join(ROOT, 'fixtures/faces');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls while `cond` holds; 30 s is only the deadline for a loaded machine (the assertion after it tells what failed). */
async function waitWhile(cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 30_000; cond() && Date.now() < end; ) await sleep(25);
}

// Every car through the real stack: Modbus master over a socat pty to the simulated barrier
// controller, token checks, enrolment store, face engine, journal.
const scenario: Scenario = scenarioSchema.parse({
  name: 'e2e vehicle lane',
  profile: 'vehicle',
  photos: FACES,
  // The token budget is the driver's patience in real time: 3 s raced a reversing car on a loaded machine (ABANDONED/NO_TOKEN instead of REVERSED).
  timings: { vehicleTokenBudgetMs: 8000, vehiclePassTimeoutMs: 2500, faceBudgetMs: 4000, refusalDisplayMs: 800, healthyBeforeServiceMs: 1500 },
  travellers: [
    { name: 'driver', reference: ['person02-42.jpg'], live: ['person02-44.jpg'], token: 'valid' },
    { name: 'card-driver', reference: ['person03-48.jpg'], live: ['person03-8.jpg'], token: 'card' },
    { name: 'follower', reference: ['person04-3.jpg'], live: ['person04-53.jpg'], token: 'valid', behaviour: 'tailgate' },
    { name: 'reverser', reference: ['person05-16.jpg'], live: ['person05-17.jpg'], token: 'valid', behaviour: 'abandon' },
    { name: 'no-card', reference: ['person07-29.jpg'], live: ['person07-30.jpg'], token: 'card', behaviour: 'abandon' },
    { name: 'slow-mover', reference: ['person01-2.jpg'], live: ['person01-1.jpg'], token: 'valid', behaviour: 'linger' },
    { name: 'impostor', reference: ['person02-42.jpg'], live: ['person02-44.jpg'], token: 'valid', behaviour: 'impostor' },
    { name: 'photo', reference: ['person01-2.jpg'], live: ['person01-1.jpg'], token: 'valid', behaviour: 'spoof-photo' },
    { name: 'not-eligible', reference: ['person03-48.jpg'], live: ['person03-8.jpg'], token: 'not-eligible' },
  ],
});

interface Ctx {
  sim: Simulation;
  /** Arm commanded down (coil 0 falling) while the controller saw a vehicle on loop_barrier. */
  violations: string[];
  watch: NodeJS.Timeout;
}

const t = peerSuite<Ctx>('e2e: vehicle lane through the real driver stack', ['socat']);

t.before(async (ctx) => {
  ctx.sim = await startSimulation(scenario, { photosDir: FACES, spoofPhoto: join(FACES, 'spoof-screen-person01-1.jpg'), log: silentLogger() });
  ctx.violations = [];
  let raised = false;
  ctx.watch = setInterval(() => {
    const up = ctx.sim.plant.role('barrier_raise') === true;
    if (raised && !up && ctx.sim.plant.role('loop_barrier') === true) ctx.violations.push(`lowered onto a car in ${ctx.sim.gate.state?.state}`);
    raised = up;
  }, 5);
});

t.after(async (ctx) => {
  clearInterval(ctx.watch);
  await ctx.sim.close();
});

t('every car gets its expected outcome; the arm is never commanded down over a car; the journal chain verifies', async (ctx) => {
  const world = ctx.sim.world as VehicleWorld;
  const outcomes: [string, string, string][] = [];
  for (const tr of scenario.travellers) {
    const r = await world.cross(tr, ctx.sim.subOf(tr), 30_000);
    outcomes.push([tr.name, r.outcome, r.reason]);
  }
  assert.equal(outcomes, [
    ['driver', 'CLEARED', 'OK'],
    ['card-driver', 'CLEARED', 'OK'],
    ['follower', 'TAILGATE', 'SECOND_VEHICLE'],
    ['reverser', 'ABANDONED', 'REVERSED'],
    ['no-card', 'ABANDONED', 'NO_TOKEN'],
    ['slow-mover', 'CLEARED', 'OK'],
    ['impostor', 'REJECTED_FACE', 'NO_MATCH'],
    ['photo', 'REJECTED_PAD', 'PRESENTATION_ATTACK'],
    ['not-eligible', 'REJECTED_TOKEN', 'NOT_ELIGIBLE'],
  ]);
  assert.equal(ctx.violations, []);
  const j = ctx.sim.gate.deps.journal;
  const events = j.readAfter(0, 10_000);
  const alarms = events.filter((e) => e.type === 'alarm_raised').map((e) => (e.data as { alarm: string }).alarm);
  assert.ok(alarms.includes('TAILGATE') && alarms.includes('PASS_TIMEOUT'), `alarms ${alarms.join(',')}`);
  const started = events.filter((e) => e.type === 'crossing_started').length;
  assert.is(events.filter((e) => e.type === 'crossing_finished').length, started, 'one outcome per session');
  const text = JSON.stringify(events);
  for (const tr of scenario.travellers) assert.not.ok(text.includes(ctx.sim.subOf(tr)), 'no raw identity number in the journal');
  assert.ok(verifyJournal(ctx.sim.gate.deps.config.journal.path).ok);
});

t('an obstruction under the lowering arm: ABORTED_FAULT and out of service; cleared, back in service on its own', async (ctx) => {
  const { sim } = ctx;
  const world = sim.world as VehicleWorld;
  const tr = scenario.travellers[0]!;
  const off = sim.gate.bus.on('state', ({ state }) => {
    if (state === 'in_service.lowering') sim.plant.block('barrier');
  });
  const r = await world.cross(tr, sim.subOf(tr), 30_000);
  off();
  assert.equal([r.outcome, r.reason], ['ABORTED_FAULT', 'BARRIER_OBSTRUCTED']);
  assert.ok(sim.gate.state?.state.startsWith('out_of_service'));
  assert.is(sim.gate.screen?.screen, 'closed');
  sim.plant.block('barrier', false);
  await waitWhile(() => sim.gate.state?.state !== 'in_service.idle');
  assert.is(sim.gate.state?.state, 'in_service.idle');
  assert.is(sim.plant.role('barrier_down'), true);
});

t('fire alarm during a session: ABORTED_EMERGENCY, the arm rises; after the alarm, down again and service only on reset', async (ctx) => {
  const { sim } = ctx;
  const finished = new Promise<string>((resolve) => {
    const off = sim.gate.bus.on('crossing_finished', (r) => {
      off();
      resolve(`${r.outcome}/${r.reason}`);
    });
  });
  const car = sim.plant.car('fire-car').arrive();
  await waitWhile(() => !sim.gate.state?.state.startsWith('in_service.session'));
  sim.plant.setFireAlarm(true);
  assert.is(await finished, 'ABORTED_EMERGENCY/FIRE_ALARM');
  await waitWhile(() => sim.plant.role('barrier_raise') !== true);
  assert.is(sim.plant.role('barrier_down'), false);
  assert.is(sim.gate.screen?.screen, 'emergency');
  assert.is(sim.plant.role('barrier_raise'), true, 'the master commands the arm up as the controller does');
  await car.drive();
  sim.plant.setFireAlarm(false);
  await waitWhile(() => sim.plant.role('barrier_down') !== true);
  assert.is(sim.plant.role('barrier_down'), true);
  assert.is(sim.gate.state?.state, 'emergency.awaiting_reset');
  sim.gate.send({ type: 'RESET', by: 'e2e' });
  await waitWhile(() => sim.gate.state?.state !== 'in_service.idle');
  assert.is(sim.gate.state?.state, 'in_service.idle');
  assert.equal(ctx.violations, []);
});

t.run();
