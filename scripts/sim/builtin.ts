import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioSchema, type Scenario } from './scenario.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'fixtures', 'faces');

export interface DemoPhotos {
  dir: string;
  source: string;
  spoof: string;
  /** Fixture name → the file to read in `dir`. */
  file: (fixture: string) => string;
}

interface FixtureIndex {
  faces: Record<string, { identity: string; source: string; role: string }>;
}

/**
 * The demo's photographs: the full-size originals in ../shared/faces/deepface when that
 * folder is there, else the downscaled copies committed in fixtures/faces (so a fresh clone
 * runs the demo on its own). Scenarios name fixtures; this maps them to files.
 */
export function demoPhotos(): DemoPhotos {
  const index = JSON.parse(readFileSync(join(FIXTURES, 'index.json'), 'utf8')) as FixtureIndex;
  const shared = process.env.EGATE_FACES_DIR ?? join(ROOT, '..', 'shared', 'faces', 'deepface');
  const useShared = existsSync(join(shared, 'identities.csv'));
  const spoof = join(FIXTURES, 'spoof-screen-person01-1.jpg');
  if (!useShared) return { dir: FIXTURES, source: 'fixtures/faces (downscaled copies)', spoof, file: (f) => f };
  return {
    dir: shared,
    source: shared,
    spoof,
    file: (f) => {
      const e = index.faces[f];
      return e && e.role !== 'spoof' && existsSync(join(shared, e.source)) ? e.source : join(FIXTURES, f);
    },
  };
}

/** The built-in scenario of a profile, with its photo names mapped to the photo set in use. */
export function builtinScenario(profile: Scenario['profile'], photos: DemoPhotos): Scenario {
  const file = join(ROOT, 'scripts', 'sim', 'scenarios', `${profile}-builtin.json`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Scenario;
  const s = scenarioSchema.parse(raw);
  return mapPhotos(s, photos);
}

export function mapPhotos(s: Scenario, photos: DemoPhotos): Scenario {
  return {
    ...s,
    photos: photos.dir,
    travellers: s.travellers.map((t) => ({ ...t, reference: t.reference.map(photos.file), live: t.live.map(photos.file) })),
  };
}
