import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../kiosk/errors.ts';
import type { Outcome } from '../../kiosk/crossing/outcomes.ts';

export const TOKEN_KINDS = ['valid', 'card', 'expired', 'forged', 'replayed', 'revoked', 'not-enrolled', 'not-eligible', 'garbage'] as const;
/** What a visitor presents at the Express e-Channel: an e-passport, genuine or not. */
export const PASSPORT_TOKENS = ['passport', 'passport-jp2', 'passport-tampered', 'passport-expired', 'passport-untrusted', 'passport-no-chip'] as const;
/** The e-Visa a visitor whose nationality needs one scans after the passport (docs/evisa.md); `missing`: scans none. */
export const VISA_KINDS = ['valid', 'forged', 'expired', 'revoked', 'other-passport', 'missing'] as const;
export const BEHAVIOURS = ['normal', 'tailgate', 'linger', 'abandon', 'spoof-photo', 'impostor'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];
export type PassportToken = (typeof PASSPORT_TOKENS)[number];
export type Behaviour = (typeof BEHAVIOURS)[number];

const traveller = z.object({
  name: z.string().min(1),
  /** Photo(s) enrolled as the reference (file names in the photo set, or paths). */
  reference: z.array(z.string()).min(1),
  /** Photo(s) the camera sees while this traveller is in the mantrap. */
  live: z.array(z.string()).min(1),
  token: z.enum([...TOKEN_KINDS, ...PASSPORT_TOKENS]).default('valid'),
  behaviour: z.enum(BEHAVIOURS).default('normal'),
  /** Express: the visitor's nationality needs a visa and this is the e-Visa they scan (their passport gets a visa-required nationality). */
  visa: z.enum(VISA_KINDS).optional(),
  /** Expected outcome; by default derived from token and behaviour. */
  expected: z.string().optional(),
});

export const scenarioSchema = z.object({
  name: z.string().default('scenario'),
  profile: z.enum(['pedestrian', 'vehicle', 'express']).default('pedestrian'),
  /** Directory the photo names are relative to; default: the demo photo set. */
  photos: z.string().optional(),
  /** Crossing timer overrides (config `timings`), e.g. shorter budgets for a quick run. */
  timings: z.record(z.string(), z.number().int().positive()).default({}),
  travellers: z.array(traveller).min(1),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Traveller = Scenario['travellers'][number];

/** The outcome a traveller should get: the token decides first, then the behaviour. */
export function expectedOutcome(t: Traveller): Outcome {
  if (t.expected) return t.expected as Outcome;
  if (t.token.startsWith('passport') && t.token !== 'passport' && t.token !== 'passport-jp2') return 'REJECTED_DOCUMENT';
  if (t.token !== 'valid' && t.token !== 'card' && t.token !== 'passport' && t.token !== 'passport-jp2') return 'REJECTED_TOKEN';
  if (t.visa && t.visa !== 'valid') return 'REJECTED_DOCUMENT';
  switch (t.behaviour) {
    case 'tailgate':
      return 'TAILGATE';
    case 'abandon':
      return 'ABANDONED';
    case 'spoof-photo':
      return 'REJECTED_PAD';
    case 'impostor':
      return 'REJECTED_FACE';
    default:
      return 'CLEARED';
  }
}

export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([{ path: '', message: `scenario ${path}: ${(err as Error).message}` }]);
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const s = r.data;
  if (s.photos && !isAbsolute(s.photos)) s.photos = resolve(dirname(path), s.photos);
  return s;
}
