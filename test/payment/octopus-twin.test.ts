import { SimulatedClock } from '../../kiosk/clock.ts';
import { SimulatedOctopusReader } from '../../drivers/payment/octopus-twin.ts';
import { cardReaderContract } from './card-reader-contract.ts';

cardReaderContract('Octopus twin', async () => {
  const clock = new SimulatedClock();
  const reader = new SimulatedOctopusReader({ clock });
  await reader.start();
  let n = 0;
  return {
    reader,
    clock,
    present: (balanceCents, opts) => reader.present({ id: `card-${++n}`, balanceCents, ...opts }),
    remove: () => reader.remove(),
    tear: (when) => reader.tearNextWrite(when),
    debits: (key) => reader.debits(key),
    close: () => reader.stop(),
  };
});
