import { SimulatedClock } from '../../kiosk/clock.ts';
import { SimulatedAcquirer } from '../../drivers/payment/acquirer-sim.ts';
import { SimulatedGateway } from '../../drivers/payment/gateway-twin.ts';
import { gatewayContract } from './gateway-contract.ts';

gatewayContract('simulated twin', async () => {
  const clock = new SimulatedClock();
  const acquirer = new SimulatedAcquirer(clock);
  const gateway = new SimulatedGateway(acquirer, { clock, requestTimeoutMs: 10_000, noticeDelayMs: 200 });
  await gateway.start();
  return {
    gateway,
    acquirer,
    clock,
    requestTimeoutMs: 10_000,
    line: (mode) => (gateway.fault = mode === 'normal' ? 'none' : mode),
    async pump() {
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    },
    close: () => gateway.stop(),
  };
});
