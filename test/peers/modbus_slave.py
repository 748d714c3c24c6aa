#!/usr/bin/python3
"""An independent Modbus RTU slave (Debian's pymodbus 3.0) holding the door-io.md
pedestrian register map, for testing our master against someone else's framing and CRC.

Usage: /usr/bin/python3 test/peers/modbus_slave.py <serial-device> [unit-id]

Runs 8N1 at 19200 (a pty has no parity, door-io.md). Lines on stdin change the map so a
test can drive inputs: `di <addr> <0|1>`, `ir <addr> <value>` (also `co`, `hr`), answered
`ok`; `get <table> <addr>` prints the value. It prints `ready` once the serial port is open.
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartAsyncSerialServer


def build_context(unit):
    # zero_mode: block address 0 is protocol address 0, as in door-io.md's tables.
    store = ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [0] * 8),
        di=ModbusSequentialDataBlock(0, [1, 1, 0, 0, 0, 0, 0]),
        ir=ModbusSequentialDataBlock(0, [0, 0, 0x0103]),
        hr=ModbusSequentialDataBlock(0, [0, 3000]),
        zero_mode=True,
    )
    return store, ModbusServerContext(slaves={unit: store}, single=False)


def apply(store, line):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "get" and parts[1] in ("di", "co", "ir", "hr"):
        table = {"di": 2, "co": 1, "ir": 4, "hr": 3}[parts[1]]
        return str(int(store.getValues(table, int(parts[2]), 1)[0]))
    if len(parts) != 3 or parts[0] not in ("di", "ir", "co", "hr"):
        return False
    table = {"di": 2, "co": 1, "ir": 4, "hr": 3}[parts[0]]
    store.setValues(table, int(parts[1]), [int(parts[2])])
    return "ok"


async def main():
    device = sys.argv[1]
    unit = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    store, context = build_context(unit)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=device, baudrate=19200,
        bytesize=8, parity="N", stopbits=1, timeout=0.005, defer_start=True,
    )
    await server.start()
    loop = asyncio.get_running_loop()

    def on_stdin():
        line = sys.stdin.readline()
        if not line:
            loop.remove_reader(sys.stdin)
            return
        print(apply(store, line) or "bad", flush=True)

    loop.add_reader(sys.stdin, on_stdin)
    print("ready", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
