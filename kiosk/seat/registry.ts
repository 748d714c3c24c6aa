import type { SeatProfile } from '../../config/schema.ts';
import type { KioskProfile } from './kiosk-profile.ts';

/**
 * The kiosk profiles the host runs, one line each, loaded only when configured (a collection
 * kiosk does not load the payment code). A profile missing here is refused at start.
 */
export const KIOSK_PROFILES: Partial<Record<SeatProfile, () => Promise<KioskProfile>>> = {
  collection: async () => (await import('../collection/collection-profile.ts')).collectionProfile,
  counter: async () => (await import('../counter/counter-profile.ts')).counterProfile,
  photo: async () => (await import('../photo/photo-profile.ts')).photoProfile,
  registration: async () => (await import('../registration/registration-profile.ts')).registrationProfile,
};

export function isKioskProfile(name: string): boolean {
  return ['registration', 'collection', 'photo', 'counter'].includes(name);
}
