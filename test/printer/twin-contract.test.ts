import { SimulatedPrinter } from '../../drivers/printer/twin.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { printerContract } from './contract.ts';

printerContract('twin', [], async () => {
  const clock = new SimulatedClock();
  const statusTimeoutMs = 1000;
  const printer = new SimulatedPrinter({ statusTimeoutMs }, { clock });
  return {
    printer,
    model: printer.model,
    clock,
    statusTimeoutMs,
    absent() {
      const p = new SimulatedPrinter({ name: 'absent', statusTimeoutMs }, { clock });
      p.unplug();
      return p;
    },
    close: () => printer.close(),
  };
});
