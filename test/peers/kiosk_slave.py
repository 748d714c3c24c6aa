#!/usr/bin/python3
"""pymodbus 3.0 RTU slave holding the kiosk layout of docs/kiosk-io.md (5 coils, 6 inputs,
3 input registers, 4 holding registers), for testing our card dispenser master against an
independent Modbus implementation. Same stdin protocol as modbus_slave.py.

Usage: /usr/bin/python3 test/peers/kiosk_slave.py <serial-device> [unit-id]
"""
import asyncio
import sys

import modbus_slave
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext


def build_context(unit):
    store = ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [0] * 5),
        di=ModbusSequentialDataBlock(0, [0] * 6),
        ir=ModbusSequentialDataBlock(0, [0, 0, 0x0100]),
        hr=ModbusSequentialDataBlock(0, [0, 3000, 1, 60]),
        zero_mode=True,
    )
    return store, ModbusServerContext(slaves={unit: store}, single=False)


if __name__ == "__main__":
    modbus_slave.build_context = build_context
    try:
        asyncio.run(modbus_slave.main())
    except KeyboardInterrupt:
        pass
