import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import { pedestrianMachine } from './crossing/pedestrian-machine.ts';
import { pedestrianOutputs } from './crossing/pedestrian-outputs.ts';
import { pedestrianScreen } from './display/pedestrian-screen.ts';
import type { GateProfile } from './gate.ts';
import { vehicleMachine } from './crossing/vehicle-machine.ts';
import { vehicleOutputs } from './crossing/vehicle-outputs.ts';
import { vehicleScreen } from './display/vehicle-screen.ts';

type AnySnap = SnapshotFrom<AnyStateMachine>;

/** The residents' contactless pedestrian e-Channel: card or phone QR, mantrap, face. */
export const pedestrianProfile: GateProfile = {
  machine: pedestrianMachine as unknown as AnyStateMachine,
  outputsFor: (s: AnySnap) => pedestrianOutputs(s as never),
  screenFor: (s: AnySnap) => pedestrianScreen(s as never),
  channels: { scanner: 'qr', card: 'card' },
};

/** The vehicle e-Channel: a driver at the kiosk window, one barrier arm, service VEH. */
export const vehicleProfile: GateProfile = {
  machine: vehicleMachine as unknown as AnyStateMachine,
  outputsFor: (s: AnySnap) => vehicleOutputs(s as never),
  screenFor: (s: AnySnap) => vehicleScreen(s as never),
  channels: { scanner: 'qr', card: 'card' },
};
