export { ReferenceStore, type Reference, type ReferenceSummary, type ReferenceQuality, type ReferenceStoreOptions } from './reference-store.ts';
export { enrolFromPhoto, type ReferenceExtractor, type EnrolResult } from './enrol-photo.ts';
export { exportReferences, importReferences, EXPORT_FORMAT, EXPORT_VERSION } from './transfer.ts';
export { EnrolmentError } from './errors.ts';
export { REFERENCE_DIM } from './sealed.ts';
