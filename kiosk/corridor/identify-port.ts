import { cosine } from '../biometrics/embed.ts';

/**
 * "Who is this face?" as the corridor asks it: the 1:N search of enrolled residents who opted
 * in to token-free crossing (issue 19 §3, kiosk/identify/), or the 1:1 comparison with the
 * reference of a token tapped at the entry. The answer passes the searcher's own calibrated
 * threshold or is no one; the corridor never sees the gallery.
 */
export interface Candidate {
  /** Pseudonym of the enrolled subject (never the raw identity number). */
  subject: string;
  score: number;
}

export interface Identifier {
  /** The enrolled subject this (L2-normalised) template belongs to, or null: nobody above threshold. */
  identify(probe: Float32Array): Promise<Candidate | null>;
}

/**
 * Every enrolled template compared in turn: the exact search, right for small galleries (a
 * few hundred) and the reference the indexed search of kiosk/identify/ is measured against.
 */
export class LinearGallery implements Identifier {
  readonly #entries: { subject: string; template: Float32Array }[] = [];

  constructor(readonly threshold: number) {}

  add(subject: string, template: Float32Array): void {
    this.#entries.push({ subject, template });
  }

  get size(): number {
    return this.#entries.length;
  }

  async identify(probe: Float32Array): Promise<Candidate | null> {
    let best: Candidate | null = null;
    for (const e of this.#entries) {
      const score = cosine(probe, e.template);
      if (!best || score > best.score) best = { subject: e.subject, score };
    }
    return best && best.score >= this.threshold ? best : null;
  }
}

/** 1:1 with a token's reference at the operating point's threshold. */
export function referenceIdentifier(subject: string, reference: Float32Array, threshold: number): Identifier {
  return {
    async identify(probe) {
      const score = cosine(probe, reference);
      return score >= threshold ? { subject, score } : null;
    },
  };
}

/**
 * The enrolment gallery's 1:N search (kiosk/identify/, issue 19 §3) at the policy calibrated
 * for its size (threshold and margin): `identified` names the resident, anything else
 * (below threshold, ambiguous, empty) is nobody. The subject is pseudonymised for the journal.
 */
export function galleryIdentifier(
  gallery: { identify(probe: Float32Array, policy: { threshold: number; margin: number }): { decision: 'identified'; sub: string; score: number } | { decision: 'not_identified' } },
  policy: { threshold: number; margin: number },
  pseudonym: (sub: string) => string,
): Identifier {
  return {
    async identify(probe) {
      const d = gallery.identify(probe, policy);
      return d.decision === 'identified' ? { subject: pseudonym(d.sub), score: d.score } : null;
    },
  };
}
