import { SerialPrinter } from '../../drivers/printer/serial-printer.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { printerContract } from './contract.ts';
import { PtyPrinter } from './printer-pty.ts';

printerContract('serial through a socat pty', ['socat'], async () => {
  const clock = new SimulatedClock();
  const statusTimeoutMs = 1000;
  const far = new PtyPrinter();
  await far.start();
  const config = { port: far.path, baudRate: 115200, rtscts: false, statusTimeoutMs };
  const printer = new SerialPrinter(config, { clock, log: silentLogger() });
  return {
    printer,
    model: far.model,
    clock,
    statusTimeoutMs,
    absent: () => new SerialPrinter({ ...config, port: `${far.path}-nowhere` }, { clock, log: silentLogger() }),
    async close() {
      await printer.close();
      await far.stop();
    },
  };
});
