import { peerSuite } from '../../helpers/suite.ts';
import { doorContract } from './contract.ts';
import { modbusHarness } from './harness.ts';

// The same contract on the Modbus master run in a process of its own (door.ownProcess, the
// gate's default): the proxy must be indistinguishable from the master it wraps.
const t = peerSuite('door contract: Modbus master in its own process, over a pty', ['socat']);
// The pedestrian contract only: the process passes the role map through untouched, and the
// vehicle contract runs on the same master in contract-modbus.test.ts.
doorContract(t, () => modbusHarness('pedestrian', 'process'));
t.run();
