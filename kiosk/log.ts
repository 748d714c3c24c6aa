/**
 * Logging (with its redaction list) lives in core/ (below drivers/ and kiosk/) so that
 * devices log through the same redaction without importing the product; kiosk code keeps this path.
 */
export * from '../core/log.ts';
