import { peerSuite } from '../../helpers/suite.ts';
import { doorContract, vehicleContract } from './contract.ts';
import { modbusHarness } from './harness.ts';

// Our Modbus RTU master ↔ socat pty pair ↔ our RTU slave serving the plant, in real time.
const t = peerSuite('door contract: Modbus master over a pty', ['socat']);
doorContract(t, () => modbusHarness('pedestrian'));
vehicleContract(t, () => modbusHarness('vehicle'));
t.run();
