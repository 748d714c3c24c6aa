export { Journal, type JournalOptions, type PurgeResult } from './journal.ts';
export { verifyJournal, type VerifyResult, type VerifyFailure } from './verify.ts';
export { Pseudonymizer } from './pseudonym.ts';
export { assertJournalSafe } from './privacy-guard.ts';
export { GENESIS_PREV, eventHash, canonicalEventJson } from './hash.ts';
export { JournalError, KeyFileError } from './errors.ts';
export { loadOrCreateKeyFile, readKeyFile } from './key-file.ts';
export {
  EVENT_TYPES,
  OUTCOME_CODES,
  type EventType,
  type OutcomeCode,
  type EventDataMap,
  type JournalEvent,
  type CrossingFinishedData,
  type JsonObject,
  type JsonValue,
} from './event-types.ts';
