/**
 * The error classes live in core/ (below drivers/ and kiosk/) so that devices raise the
 * same typed errors without importing the product; kiosk code keeps this path.
 */
export * from '../core/errors.ts';
