import type { CorridorGate } from './corridor-gate.ts';
import { walkCorridor, type CorridorWalker, type CorridorWalkResult } from './corridor-world.ts';

/**
 * The walk-through scenarios played on a gate built by buildGate (real face engine on faces
 * rendered into the camera twins): every outcome the corridor gives. Residents R…01/03/04/05
 * are enrolled from their reference photos and opted in; the walkers show their other (live)
 * photo. person07 is not enrolled (the impostor); the photo attack is a screen replay of
 * person01's live photo.
 */
export const SIM_RESIDENTS = [
  { sub: 'R3000001', photo: 'person01-2.jpg' },
  { sub: 'R3000003', photo: 'person03-48.jpg' },
  { sub: 'R3000004', photo: 'person04-3.jpg' },
  { sub: 'R3000005', photo: 'person05-16.jpg' },
];

const p01 = { photo: 'person01-1.jpg', sub: 'R3000001' };
const p03 = { photo: 'person03-8.jpg', sub: 'R3000003' };
const p04 = { photo: 'person04-53.jpg', sub: 'R3000004' };
const p05 = { photo: 'person05-17.jpg', sub: 'R3000005' };

export interface EngineScenario {
  name: string;
  walkers: CorridorWalker[];
  expect: string[];
}

export const ENGINE_SCENARIOS: EngineScenario[] = [
  { name: 'resident at 1.2 m/s', walkers: [{ name: 'a', ...p01, enterAt: 0, speed: 1.2, x: 0 }], expect: ['CLEARED'] },
  { name: 'slow resident 0.8 m/s', walkers: [{ name: 'a', ...p03, enterAt: 0, speed: 0.8, x: 0.05 }], expect: ['CLEARED'] },
  { name: 'fast resident 1.6 m/s', walkers: [{ name: 'a', ...p04, enterAt: 0, speed: 1.6, x: -0.05 }], expect: ['CLEARED'] },
  {
    // One door clears one traveller about every 3 s (0.8 s opening, through, clear of the exit, 0.8 s closing): a
    // group closer than that bunches at the door, and whoever reaches it while it is open for another is a tailgater.
    name: 'group of three, 3.5 s apart',
    walkers: [
      { name: 'a', ...p01, enterAt: 0, speed: 1.2, x: 0 },
      { name: 'b', ...p03, enterAt: 3500, speed: 1.1, x: 0.05 },
      { name: 'c', ...p05, enterAt: 7000, speed: 1.3, x: -0.05 },
    ],
    expect: ['CLEARED', 'CLEARED', 'CLEARED'],
  },
  { name: 'stops 2 s mid-corridor', walkers: [{ name: 'a', ...p05, enterAt: 0, speed: 1.2, x: 0, stopAtM: 2.2, stopMs: 2000 }], expect: ['CLEARED'] },
  { name: 'turns back mid-corridor', walkers: [{ name: 'a', ...p04, enterAt: 0, speed: 1.0, x: 0, turnBackAtM: 1.6 }], expect: ['ABANDONED'] },
  { name: 'impostor (not enrolled)', walkers: [{ name: 'a', photo: 'person07-30.jpg', enterAt: 0, speed: 1.2, x: 0 }], expect: ['REJECTED_FACE'] },
  { name: 'photo of a resident (screen replay)', walkers: [{ name: 'a', photo: 'spoof-screen-person01-1.jpg', enterAt: 0, speed: 1.0, x: 0 }], expect: ['REJECTED_PAD'] },
  {
    name: 'tailgater close behind a resident',
    walkers: [
      { name: 'a', ...p01, enterAt: 0, speed: 1.2, x: 0 },
      { name: 'b', photo: 'person07-30.jpg', enterAt: 1100, speed: 1.2, x: 0.1, tailgate: true },
    ],
    expect: ['CLEARED', 'TAILGATE'],
  },
];

/** One scenario on the running gate: outcomes as expected, no wrong opening, every CLEARED subject one of the walkers who went out. */
export async function playEngineScenario(g: CorridorGate, sc: EngineScenario, photosDir: string): Promise<CorridorWalkResult & { ok: boolean; got: string[]; why: string }> {
  const r = await walkCorridor(g, sc.walkers, { photosDir });
  const got = r.outcomes.map((o) => o.outcome).sort();
  const outSubs = new Set(sc.walkers.filter((w) => w.sub && r.corridorMs[w.name] !== null).map((w) => g.gate.deps.journal.pseudonym(w.sub!)));
  const strangers = r.outcomes.filter((o) => o.outcome === 'CLEARED' && !outSubs.has(o.subject ?? ''));
  const why = [JSON.stringify(got) !== JSON.stringify([...sc.expect].sort()) ? 'outcomes' : '', r.wrongOpenings ? `${r.wrongOpenings} wrong openings` : '', strangers.length ? 'cleared someone who did not go out' : ''].filter(Boolean).join(', ');
  // The corridor empties between scenarios (tracks lost, door shut).
  await g.wait(2000);
  return { ...r, got, ok: why === '', why };
}
