#!/usr/bin/python3
"""Runs vsmartcard's vicc as a smart identity card (smart-id.md) filled by scripts/make-card.ts.

The card OS is written here on python3-virtualsmartcard's VirtualICC (the vpcd connection)
and answers the APDUs egate's card reader sends, as drivers/card/sim-card.ts does:
SELECT by AID (F0484B494401) and by FID (P1 02, P2 0C), READ BINARY with short offsets
(B0) and with an offset DO '54' (B1, answer in DO '53'), and INTERNAL AUTHENTICATE (00 88
00 00, 32-byte challenge): ECDSA P-256 r||s with the chip key over SHA-256("HKID-CA-1" ||
challenge). --pull-after N: the card leaves the reader when the (N+1)th APDU arrives
(the process exits without answering; vpcd reports the card removed).

usage: vicc-hkid.py --dir <card dir> [--host localhost] [--port 35963] [--pull-after N] [-v]
"""
import argparse
import json
import logging
import os
import sys

sys.path.insert(0, '/usr/lib/python3/site-packages/virtualsmartcard')

import Cryptodome  # noqa: E402
import Cryptodome.Cipher  # noqa: E402
import Cryptodome.Hash  # noqa: E402
import Cryptodome.Hash.SHA1  # noqa: E402
from Cryptodome.Hash import SHA256  # noqa: E402

# The packaged library imports PyCrypto's `Crypto` names (Debian ships Cryptodome): alias them.
Cryptodome.Hash.SHA = Cryptodome.Hash.SHA1
sys.modules.setdefault('Crypto', Cryptodome)
sys.modules.setdefault('Crypto.Cipher', Cryptodome.Cipher)
sys.modules.setdefault('Crypto.Hash', Cryptodome.Hash)
sys.modules.setdefault('Crypto.Hash.SHA', Cryptodome.Hash.SHA1)
from Cryptodome.PublicKey import ECC  # noqa: E402
from Cryptodome.Signature import DSS  # noqa: E402
from virtualsmartcard.VirtualSmartcard import VirtualICC  # noqa: E402

AID = bytes.fromhex('F0484B494401')


def sw(value, data=b''):
    return data + bytes([value >> 8, value & 0xFF])


def parse_apdu(msg):
    """(cla, ins, p1, p2, data, le) of a short or extended command APDU; raises ValueError."""
    if len(msg) < 4:
        raise ValueError('short header')
    cla, ins, p1, p2 = msg[0], msg[1], msg[2], msg[3]
    body = msg[4:]
    if not body:
        return cla, ins, p1, p2, b'', None
    if len(body) == 1:
        return cla, ins, p1, p2, b'', body[0] or 256
    if body[0] != 0:
        lc = body[0]
        if len(body) == 1 + lc:
            return cla, ins, p1, p2, body[1:], None
        if len(body) == 2 + lc:
            return cla, ins, p1, p2, body[1:1 + lc], body[1 + lc] or 256
        raise ValueError('length mismatch')
    if len(body) == 3:
        return cla, ins, p1, p2, b'', int.from_bytes(body[1:3], 'big') or 65536
    lc = int.from_bytes(body[1:3], 'big')
    if len(body) == 3 + lc:
        return cla, ins, p1, p2, body[3:], None
    if len(body) == 5 + lc:
        return cla, ins, p1, p2, body[3:3 + lc], int.from_bytes(body[3 + lc:], 'big') or 65536
    raise ValueError('length mismatch')


class HkidOS:
    """The card operating system: one application, three transparent files, a chip key."""

    def __init__(self, files, key, atr, pull_after):
        self.files, self.key, self.atr, self.left = files, key, atr, pull_after
        self.app = False
        self.file = None

    def getATR(self):
        return self.atr

    def powerUp(self):
        pass

    def powerDown(self):
        self.app, self.file = False, None

    def reset(self):
        self.app, self.file = False, None

    def execute(self, msg):
        if self.left is not None:
            if self.left <= 0:
                logging.info('card pulled')
                os._exit(0)
            self.left -= 1
        try:
            cla, ins, p1, p2, data, le = parse_apdu(bytes(msg))
        except ValueError:
            return sw(0x6700)
        if cla != 0:
            return sw(0x6E00)
        if ins == 0xA4 and p1 == 0x04:
            self.app, self.file = data == AID, None
            return sw(0x9000 if self.app else 0x6A82)
        if not self.app:
            return sw(0x6985)
        if ins == 0xA4 and p1 == 0x02:
            self.file = self.files.get(int.from_bytes(data, 'big')) if len(data) == 2 else None
            return sw(0x9000 if self.file is not None else 0x6A82)
        if ins in (0xB0, 0xB1):
            if self.file is None:
                return sw(0x6986)
            odd = ins == 0xB1
            if odd and (len(data) < 2 or data[0] != 0x54 or len(data) != 2 + data[1]):
                return sw(0x6A80)
            offset = int.from_bytes(data[2:], 'big') if odd else ((p1 & 0x7F) << 8) | p2
            if offset > len(self.file):
                return sw(0x6B00)
            want = (le or 256) - (4 if odd else 0)
            chunk = self.file[offset:offset + want]
            if odd:
                n = len(chunk)
                chunk = (bytes([0x53, n]) if n < 0x80 else bytes([0x53, 0x82, n >> 8, n & 0xFF])) + chunk
            return sw(0x6282 if len(self.file[offset:offset + want]) < want else 0x9000, chunk)
        if ins == 0x88 and p1 == 0 and p2 == 0:
            if len(data) != 32:
                return sw(0x6700)
            signer = DSS.new(self.key, 'fips-186-3')  # r || s, 32 bytes each
            return sw(0x9000, signer.sign(SHA256.new(b'HKID-CA-1' + data)))
        return sw(0x6D00)


def load_card(directory):
    with open(os.path.join(directory, 'card.json')) as f:
        manifest = json.load(f)
    files = {}
    for fid, name in manifest['files'].items():
        with open(os.path.join(directory, name), 'rb') as f:
            files[int(fid, 16)] = f.read()
    with open(os.path.join(directory, manifest['chipKey'])) as f:
        key = ECC.import_key(f.read())
    return files, key


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--dir', required=True)
    ap.add_argument('--host', default='localhost')
    ap.add_argument('--port', type=int, default=35963)
    ap.add_argument('--pull-after', type=int, default=None)
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    files, key = load_card(args.dir)
    # 'iso7816' builds a throw-away default card (we keep its ATR) and opens the vpcd connection.
    vicc = VirtualICC(None, 'iso7816', args.host, args.port, logginglevel=logging.INFO if args.verbose else logging.CRITICAL)
    vicc.os = HkidOS(files, key, vicc.os.getATR(), args.pull_after)
    print('vicc-hkid: ready', flush=True)
    try:
        vicc.run()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
