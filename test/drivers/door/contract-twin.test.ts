import { suite } from 'uvu';
import { doorContract, vehicleContract } from './contract.ts';
import { twinHarness } from './harness.ts';

const t = suite('door contract: in-process twin');
doorContract(t, () => twinHarness('pedestrian'));
vehicleContract(t, () => twinHarness('vehicle'));
t.run();
