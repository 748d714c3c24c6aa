#!/usr/bin/python3
"""Runs Debian's vicc (vsmartcard-vpicc) as an ePass filled with a test passport.

Debian's `vicc -t ePass` does not work as packaged (epassport.md): its library sits off
the Python path, it imports `Crypto` where Debian ships `Cryptodome`, its ePass generator
and secure messaging are Python 2 code (str/bytes, raw_input, a send sequence counter not
fixed to 8 bytes, no DO'99' in responses) and EF.SOD stays empty. This launcher fixes
those at run time and fills the emulated chip from files made by scripts/make-passport.ts.
It offers BAC only and does not refuse plain reads (the simulated chip covers those).

usage: vicc-epass.py --dir <passport dir> [--host localhost] [--port 35963] [-v]
"""
import argparse
import json
import logging
import os
import struct
import sys

sys.path.insert(0, '/usr/lib/python3/site-packages/virtualsmartcard')

import Cryptodome  # noqa: E402
import Cryptodome.Cipher  # noqa: E402
import Cryptodome.Hash  # noqa: E402
import Cryptodome.Hash.SHA1  # noqa: E402
from Cryptodome.Cipher import DES, DES3  # noqa: E402

Cryptodome.Hash.SHA = Cryptodome.Hash.SHA1
sys.modules.setdefault('Crypto', Cryptodome)
sys.modules.setdefault('Crypto.Cipher', Cryptodome.Cipher)
sys.modules.setdefault('Crypto.Hash', Cryptodome.Hash)
sys.modules.setdefault('Crypto.Hash.SHA', Cryptodome.Hash.SHA1)

from virtualsmartcard import SmartcardFilesystem as vsFS  # noqa: E402
from virtualsmartcard.SWutils import SW, SwError  # noqa: E402
from virtualsmartcard.SmartcardSAM import SAM  # noqa: E402
from virtualsmartcard.TLVutils import unpack  # noqa: E402
from virtualsmartcard.VirtualSmartcard import Iso7816OS, VirtualICC  # noqa: E402
from virtualsmartcard.cards.ePass import PassportSAM, ePass_SE  # noqa: E402
from virtualsmartcard.utils import C_APDU  # noqa: E402
import hashlib  # noqa: E402

AID = bytes.fromhex('A0000002471001')


def pad(data):
    return data + b'\x80' + b'\x00' * ((8 - (len(data) + 1) % 8) % 8)


def unpad(data):
    i = data.rstrip(b'\x00')
    if not i.endswith(b'\x80'):
        raise ValueError('bad padding')
    return i[:-1]


def retail_mac(key, data):
    """ISO 9797-1 MAC algorithm 3 over padded data."""
    ka, kb = key[:8], key[8:16]
    h = DES.new(ka, DES.MODE_CBC, b'\x00' * 8).encrypt(data)[-8:]
    return DES.new(ka, DES.MODE_ECB).encrypt(DES.new(kb, DES.MODE_ECB).decrypt(h))


def kdf(seed, c):
    return hashlib.sha1(seed + struct.pack('>I', c)).digest()[:16]


def tlv(tag, value):
    n = len(value)
    length = bytes([n]) if n < 0x80 else (bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 0xff]))
    return bytes([tag]) + length + value


class FixedSE(ePass_SE):
    """Secure messaging of ICAO 9303-11 §9.8 in Python 3: an 8-byte counter, DO'99' in responses."""

    def next_ssc(self):
        self.ssc = (self.ssc + 1) & 0xFFFFFFFFFFFFFFFF
        return struct.pack('>Q', self.ssc)

    def parse_SM_CAPDU(self, CAPDU, authenticate_header):
        ssc = self.next_ssc()
        header = pad(bytes([CAPDU.cla, CAPDU.ins, CAPDU.p1, CAPDU.p2]))
        covered, data, le, mac = b'', b'', None, None
        for tag, length, value in unpack(CAPDU.data):
            if isinstance(value, list):
                raise SwError(SW['ERR_SECMESSOBJECTSINCORRECT'])
            raw = tlv(tag, value)
            if tag == 0x87:
                covered += raw
                data = unpad(DES3.new(self.ct.key, DES3.MODE_CBC, b'\x00' * 8).decrypt(value[1:]))
            elif tag == 0x97:
                covered += raw
                le = int.from_bytes(value, 'big') or (256 if len(value) == 1 else 65536)
            elif tag == 0x8E:
                mac = value
        if mac is None or retail_mac(self.cct.key, pad(ssc + header + covered)) != mac:
            raise SwError(SW['ERR_SECMESSOBJECTSINCORRECT'])
        return C_APDU(cla=CAPDU.cla & ~0x0C, ins=CAPDU.ins, p1=CAPDU.p1, p2=CAPDU.p2, le=le, data=data)

    def protect_response(self, sw, result):
        ssc = self.next_ssc()
        body = b''
        if result:
            body += tlv(0x87, b'\x01' + DES3.new(self.ct.key, DES3.MODE_CBC, b'\x00' * 8).encrypt(pad(result)))
        body += tlv(0x99, struct.pack('>H', sw))
        body += tlv(0x8E, retail_mac(self.cct.key, pad(ssc + body)))
        return sw, body


class FixedPassportSAM(PassportSAM):
    """BAC keys from the MRZ given on the command line; MUTUAL AUTHENTICATE on bytes."""

    def __init__(self, mf, mrz_line2):
        SAM.__init__(self, None, None, mf, default_se=FixedSE)
        info = (mrz_line2[0:10] + mrz_line2[13:20] + mrz_line2[21:28]).encode('latin1')
        seed = hashlib.sha1(info).digest()[:16]
        self.KEnc, self.KMac = kdf(seed, 1), kdf(seed, 2)
        self.last_challenge = None

    def external_authenticate(self, p1, p2, resp_data):
        rnd_icc = self.last_challenge
        if rnd_icc is None or len(resp_data) != 40:
            raise SwError(SW['CONDITIONSNOTSATISFIED'])
        e_ifd, m_ifd = resp_data[:32], resp_data[32:]
        if retail_mac(self.KMac, pad(e_ifd)) != m_ifd:
            raise SwError(SW['WARN_NOINFO63'])
        plain = DES3.new(self.KEnc, DES3.MODE_CBC, b'\x00' * 8).decrypt(e_ifd)
        if plain[8:16] != rnd_icc:
            raise SwError(SW['WARN_NOINFO63'])
        rnd_ifd, k_ifd, k_icc = plain[:8], plain[16:32], os.urandom(16)
        e_icc = DES3.new(self.KEnc, DES3.MODE_CBC, b'\x00' * 8).encrypt(rnd_icc + rnd_ifd + k_icc)
        m_icc = retail_mac(self.KMac, pad(e_icc))
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc))
        se = self.current_SE
        se.ct.key, se.cct.key = kdf(seed, 1), kdf(seed, 2)
        se.ssc = int.from_bytes(rnd_icc[-4:] + rnd_ifd[-4:], 'big')
        self.last_challenge = None
        return SW['NORMAL'], e_icc + m_icc


def build_card(directory):
    with open(os.path.join(directory, 'passport.json')) as f:
        manifest = json.load(f)
    mf = vsFS.MF()
    df = vsFS.DF(parent=mf, fid=4, dfname=AID, bertlv_data=[])
    for fid, name in manifest['files'].items():
        with open(os.path.join(directory, name), 'rb') as f:
            df.append(vsFS.TransparentStructureEF(parent=df, fid=int(fid, 16), filedescriptor=0, data=f.read()))
    mf.append(df)
    return mf, FixedPassportSAM(mf, manifest['mrz'][1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--dir', required=True)
    ap.add_argument('--host', default='localhost')
    ap.add_argument('--port', type=int, default=35963)
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    mf, sam = build_card(args.dir)
    # 'iso7816' builds a throw-away default card and opens the vpcd connection; the ePass replaces the card OS.
    vicc = VirtualICC(None, 'iso7816', args.host, args.port, logginglevel=logging.INFO if args.verbose else logging.CRITICAL)
    vicc.os = Iso7816OS(mf, sam)
    print('vicc-epass: ready', flush=True)
    try:
        vicc.run()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
