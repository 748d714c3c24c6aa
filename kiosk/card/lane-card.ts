import type { CardRead } from '../../drivers/card/interface.ts';
import type { TokenVerdict } from '../crossing/types.ts';
import type { TokenVerifier } from '../tokens/verifier.ts';
import { checkSmartIdCard } from './smart-id-check.ts';

/**
 * The resident lanes' card check (issue 14 §1): a card is accepted only when its chip proves
 * the credential's key (smart-id.md checks 1-4), then the holder must be enrolled. Credential
 * bytes alone — a reader that yields no chip, or bytes copied off a card — prove nothing, so
 * they are CARD_NOT_GENUINE: that closes the card channel's replay gap (a copied credential
 * could be replayed from any blank card before, the chip's key cannot).
 */
export interface LaneCardDeps {
  /** The gate id: part of every chip challenge, so an answer made for another gate is useless here. */
  gateId: string;
  verifier: Pick<TokenVerifier, 'verify'>;
  /** The enrolled face reference of `sub`, if any. */
  reference(sub: string): { template: unknown } | undefined;
  /** The journal's pseudonym of `sub` (never the raw identity number). */
  pseudonym(sub: string): string;
}

/** True for what a card reader delivers ('card' events), so a stray token on the card channel is refused, not crashed on. */
export function isCardRead(token: unknown): token is CardRead {
  return typeof token === 'object' && token !== null && (token as CardRead).credential instanceof Uint8Array;
}

export async function checkLaneCard(token: unknown, deps: LaneCardDeps): Promise<TokenVerdict> {
  if (!isCardRead(token) || !token.smartId) {
    return { ok: false, tokenType: 'card', reason: 'CARD_NOT_GENUINE', detail: { chip: 'absent' } };
  }
  const r = await checkSmartIdCard({
    files: token.smartId.files,
    authenticate: token.smartId.authenticate,
    gateId: deps.gateId,
    verifier: deps.verifier,
  });
  if (!r.ok) return { ok: false, tokenType: 'card', reason: r.reason };
  const subject = deps.pseudonym(r.token.sub);
  const reference = deps.reference(r.token.sub);
  if (!reference) return { ok: false, tokenType: 'card', reason: 'NOT_ENROLLED', subject };
  return {
    ok: true,
    tokenType: 'card',
    subject,
    reference: { template: reference.template, source: 'enrolment' },
    // Never the card number or the photo: the issuer key and the credential id's hash suffice to correlate.
    detail: { issuer_kid: r.token.kid, cti: r.token.ctiHash, chip: 'verified' },
  };
}
