/**
 * The typed event bus lives in core/ (below drivers/ and kiosk/) so that devices publish
 * on it without importing the product; kiosk code keeps this path.
 */
export * from '../core/bus.ts';
