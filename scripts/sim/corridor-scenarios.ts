import { prng } from '../../core/prng.ts';
import { defaultGeometry } from '../../kiosk/corridor/geometry.ts';
import { LinearGallery } from '../../kiosk/corridor/identify-port.ts';
import { detectionOf, randomTemplate } from './corridor-walk.ts';
import { runTwin, syntheticSee, type See, type TwinResult, type TwinWalker } from './corridor-twin.ts';

/**
 * The walk-through scenarios with the outcomes they must produce: every outcome the corridor
 * can give, speeds 0.8–1.6 m/s, a group, a traveller who stops, one who turns back, an
 * impostor (not enrolled), a photo attack (an enrolled face that is not live), a tailgater.
 */
export interface CorridorScenario {
  name: string;
  walkers: (TwinWalker & { kind: 'enrolled' | 'impostor' | 'photo' })[];
  expect: string[];
}

export const CORRIDOR_SCENARIOS: CorridorScenario[] = [
  { name: 'resident at 1.2 m/s', walkers: [{ name: 'a', kind: 'enrolled', enterAt: 0, speed: 1.2, x: 0 }], expect: ['CLEARED'] },
  { name: 'slow resident 0.8 m/s', walkers: [{ name: 'a', kind: 'enrolled', enterAt: 0, speed: 0.8, x: 0.1 }], expect: ['CLEARED'] },
  { name: 'fast resident 1.6 m/s', walkers: [{ name: 'a', kind: 'enrolled', enterAt: 0, speed: 1.6, x: -0.1 }], expect: ['CLEARED'] },
  {
    name: 'group of three, 2 s apart',
    walkers: [
      { name: 'a', kind: 'enrolled', enterAt: 0, speed: 1.2, x: 0 },
      { name: 'b', kind: 'enrolled', enterAt: 2500, speed: 1.1, x: 0.2 },
      { name: 'c', kind: 'enrolled', enterAt: 5000, speed: 1.3, x: -0.2 },
    ],
    expect: ['CLEARED', 'CLEARED', 'CLEARED'],
  },
  { name: 'stops 2 s mid-corridor', walkers: [{ name: 'a', kind: 'enrolled', enterAt: 0, speed: 1.2, x: 0, stopAtM: 2, stopMs: 2000 }], expect: ['CLEARED'] },
  { name: 'turns back before deciding', walkers: [{ name: 'a', kind: 'enrolled', enterAt: 0, speed: 1.0, x: 0, turnBackAtM: 1.2 }], expect: ['ABANDONED'] },
  { name: 'impostor (not enrolled)', walkers: [{ name: 'a', kind: 'impostor', enterAt: 0, speed: 1.2, x: 0 }], expect: ['REJECTED_FACE'] },
  { name: 'photo of a resident', walkers: [{ name: 'a', kind: 'photo', enterAt: 0, speed: 1.0, x: 0 }], expect: ['REJECTED_PAD'] },
  {
    name: 'tailgater close behind a resident',
    walkers: [
      { name: 'a', kind: 'enrolled', enterAt: 0, speed: 1.2, x: 0 },
      { name: 'b', kind: 'impostor', enterAt: 1100, speed: 1.2, x: 0.2, tailgate: true },
    ],
    expect: ['CLEARED', 'TAILGATE'],
  },
];

/** One scenario in the twin with synthetic detections (seeded). */
export async function playCorridorScenario(sc: CorridorScenario, seed: number, cameras = 4, fps = 10, see?: (enrolled: Map<string, Float32Array>) => See): Promise<TwinResult & { ok: boolean; got: string[] }> {
  const rnd = prng(seed);
  const gallery = new LinearGallery(0.45);
  const templates = new Map<string, { template: Float32Array; liveness: number }>();
  const enrolled = new Map<string, Float32Array>();
  // Enrolled residents the walkers are not: a gallery to be found in, not a list of one.
  for (let i = 0; i < 200; i++) gallery.add(`${i.toString(16).padStart(32, '0')}`, randomTemplate(rnd));
  sc.walkers.forEach((w, i) => {
    const t = randomTemplate(rnd);
    if (w.kind !== 'impostor') {
      gallery.add(`${(1000 + i).toString(16).padStart(32, 'f')}`, t);
      enrolled.set(w.name, t);
    }
    templates.set(w.name, { template: t, liveness: w.kind === 'photo' ? 0.12 : 0.93 });
  });
  const r = await runTwin({
    geometry: defaultGeometry(cameras),
    walkers: sc.walkers,
    identifier: gallery,
    enrolled: (name) => sc.walkers.find((w) => w.name === name)?.kind === 'enrolled',
    see: see ? see(enrolled) : syntheticSee(templates, seed, (cam, p, r2) => detectionOf(cam, p, r2, 1, 0.9)),
    fps,
  });
  const got = r.outcomes.map((x) => x.outcome).sort();
  return { ...r, got, ok: JSON.stringify(got) === JSON.stringify([...sc.expect].sort()) && r.wrongOpenings === 0 };
}
