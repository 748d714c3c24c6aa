import { SimulatedClock } from '../../kiosk/clock.ts';
import { serveAcquirer } from '../../drivers/payment/acquirer-http.ts';
import { SimulatedAcquirer } from '../../drivers/payment/acquirer-sim.ts';
import { HttpPaymentGateway } from '../../drivers/payment/http-gateway.ts';
import { gatewayContract } from './gateway-contract.ts';

gatewayContract('HTTP driver against the acquirer peer', async () => {
  const clock = new SimulatedClock();
  const acquirer = new SimulatedAcquirer(clock);
  const server = await serveAcquirer(acquirer);
  const gateway = new HttpPaymentGateway({ url: server.url, requestTimeoutMs: 10_000, pollMs: 250 }, { clock });
  await gateway.start();
  return {
    gateway,
    acquirer,
    clock,
    requestTimeoutMs: 10_000,
    line(mode) {
      server.hang = mode === 'hang';
      server.loseAnswers = mode === 'lose_answer';
    },
    async pump() {
      clock.advance(100);
      await new Promise((r) => setTimeout(r, 2));
    },
    async close() {
      await gateway.stop();
      await server.close();
    },
  };
});
