/**
 * The gate's clock lives in core/ (below drivers/ and kiosk/) so that devices can wait on
 * the same injected Clock without importing the product; kiosk code keeps this path.
 */
export * from '../core/clock.ts';
