import { EgateError } from '../errors.ts';

/**
 * Why the gate refused an update, one code per attack class of TUF's threat model, so that
 * the journal and the central system count them apart:
 *  - UPDATE_UNSIGNED       metadata without the threshold of valid signatures of its role
 *                          (unsigned, signed by a key the root does not name, tampered)
 *  - UPDATE_EXPIRED        root, targets or snapshot past its expiry
 *  - UPDATE_FROZEN         the newest timestamp the repository offers is past its expiry: the
 *                          mirror is replaying an old state (freeze attack) or the vendor's
 *                          timestamp job stopped; either way the gate cannot know the newest
 *  - UPDATE_ROLLBACK       a version older than one the gate already trusted
 *  - UPDATE_MIX_AND_MATCH  snapshot or targets metadata not the ones the newer role names
 *                          (version, length or hash differs: files from different releases)
 *  - UPDATE_OVERSIZED      the server sent more bytes than the signed length (endless data)
 *  - UPDATE_CORRUPT        a downloaded target whose length or hash differs from its metadata
 *  - UPDATE_UNREACHABLE    the repository did not answer (not an attack; retried later)
 *  - UPDATE_TARGET_UNKNOWN the release names a target the signed metadata does not list
 *  - UPDATE_TRUST_UNSAFE   the gate's trusted root or metadata directory fails strict modes
 *  - UPDATE_INVALID        metadata that does not parse as TUF metadata
 *  - UPDATE_BUNDLE_INVALID the application bundle does not unpack into a slot (path outside
 *                          the slot, link, device file, no entry) — signed, but not installable
 *  - UPDATE_MODEL_MISMATCH a model file missing, extra or with another hash than the release's
 *                          model manifest names
 *  - UPDATE_CALIBRATION    the operating points shipped with the models fail the calibration
 *                          check the manifest names (other model, rate above target, too few pairs)
 *  - UPDATE_RUNTIME_MISMATCH the bundle was built against another package-lock.json than the one
 *                          the gate's installed runtime (node_modules) was provisioned from: it
 *                          would run on dependencies it was never built or tested with
 */
export type UpdateRefusal =
  | 'UPDATE_UNSIGNED'
  | 'UPDATE_EXPIRED'
  | 'UPDATE_FROZEN'
  | 'UPDATE_ROLLBACK'
  | 'UPDATE_MIX_AND_MATCH'
  | 'UPDATE_OVERSIZED'
  | 'UPDATE_CORRUPT'
  | 'UPDATE_UNREACHABLE'
  | 'UPDATE_TARGET_UNKNOWN'
  | 'UPDATE_TRUST_UNSAFE'
  | 'UPDATE_INVALID'
  | 'UPDATE_BUNDLE_INVALID'
  | 'UPDATE_MODEL_MISMATCH'
  | 'UPDATE_CALIBRATION'
  | 'UPDATE_RUNTIME_MISMATCH';

export class UpdateRefusedError extends EgateError {
  declare readonly code: UpdateRefusal;
  constructor(code: UpdateRefusal, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Thrown by the gate's fetcher; tuf-js folds it into its own errors, we find it back. */
export class FetchRefusedError extends EgateError {
  readonly url: string;
  constructor(code: 'UPDATE_OVERSIZED' | 'UPDATE_UNREACHABLE', url: string, message: string) {
    super(code, message);
    this.url = url;
  }
}

/**
 * Maps what tuf-js (4.1, pinned) throws to a refusal. tuf-js wraps snapshot and targets
 * errors in a RuntimeError whose message embeds the original one, so the mapping reads the
 * class where it survives and the message where it does not; test/update/tuf.test.ts makes
 * one release per class, so a tuf-js upgrade that changes a message fails there, not on a gate.
 * `lastFetchError` is the fetcher's own refusal during this run, if any.
 */
export function classifyTufError(err: unknown, phase: 'metadata' | 'target', lastFetchError?: FetchRefusedError): UpdateRefusal {
  if (err instanceof UpdateRefusedError || err instanceof FetchRefusedError) return err.code as UpdateRefusal;
  const name = err instanceof Error ? err.constructor.name : '';
  const msg = err instanceof Error ? err.message : String(err);
  if (lastFetchError && msg.includes(lastFetchError.message)) {
    return lastFetchError.code as UpdateRefusal;
  }
  if (name === 'UnsignedMetadataError' || /was signed by \d+\/\d+ keys|failed to verify \S+ signature|no signature for key/.test(msg)) return 'UPDATE_UNSIGNED';
  if (/Final timestamp\.json is expired/.test(msg)) return 'UPDATE_FROZEN';
  if (name === 'ExpiredMetadataError' || /is expired/.test(msg)) return 'UPDATE_EXPIRED';
  if (/is less than current version|Expected version \d+, got \d+/.test(msg)) return 'UPDATE_ROLLBACK';
  if (phase === 'target' && name === 'LengthOrHashMismatchError') return 'UPDATE_CORRUPT';
  if (/Snapshot version doesn't match timestamp|does not match snapshot version|Expected (length|hash) /.test(msg)) return 'UPDATE_MIX_AND_MATCH';
  if (name === 'DownloadHTTPError' || /answered HTTP \d+/.test(msg)) return 'UPDATE_UNREACHABLE';
  return 'UPDATE_INVALID';
}
