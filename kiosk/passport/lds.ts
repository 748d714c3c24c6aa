import { createPublicKey, type KeyObject } from 'node:crypto';
import { findTag, readTlv } from '../../icao/tlv.ts';

/** LDS 1 data-group tags (EF.COM's tag list) to data-group numbers. */
const TAG_TO_DG: Record<number, number> = {
  0x61: 1, 0x75: 2, 0x63: 3, 0x76: 4, 0x65: 5, 0x66: 6, 0x67: 7, 0x68: 8,
  0x69: 9, 0x6a: 10, 0x6b: 11, 0x6c: 12, 0x6d: 13, 0x6e: 14, 0x6f: 15, 0x70: 16,
};

export function dgTag(dg: number): number {
  const e = Object.entries(TAG_TO_DG).find(([, n]) => n === dg);
  if (!e) throw new Error(`no data group ${dg}`);
  return Number(e[0]);
}

export interface EfCom {
  ldsVersion: string;
  unicodeVersion: string;
  /** Data-group numbers the chip says it holds. */
  dataGroups: number[];
}

/** EF.COM: tag 60 { 5F01 LDS version, 5F36 Unicode version, 5C tag list }. Throws on malformed bytes. */
export function parseEfCom(bytes: Uint8Array): EfCom {
  const outer = readTlv(bytes);
  if (outer.tag !== 0x60) throw new Error('EF.COM does not start with tag 60');
  const list = findTag(outer.value, 0x5c);
  if (!list) throw new Error('EF.COM has no tag list');
  const dataGroups = [...list.value].map((t) => TAG_TO_DG[t]).filter((n): n is number => n !== undefined);
  return {
    ldsVersion: findTag(outer.value, 0x5f01)?.value.toString('latin1') ?? '',
    unicodeVersion: findTag(outer.value, 0x5f36)?.value.toString('latin1') ?? '',
    dataGroups,
  };
}

/** DG1: tag 61 { 5F1F MRZ }. For TD3 the 88 characters split into two lines of 44. */
export function parseDg1(bytes: Uint8Array): [string, string] {
  const outer = readTlv(bytes);
  if (outer.tag !== 0x61) throw new Error('DG1 does not start with tag 61');
  const mrz = findTag(outer.value, 0x5f1f);
  if (!mrz || mrz.length !== 88) throw new Error('DG1 holds no TD3 MRZ');
  const s = mrz.value.toString('latin1');
  return [s.slice(0, 44), s.slice(44)];
}

/** DG15: tag 6F { SubjectPublicKeyInfo } — the Active Authentication public key. */
export function parseDg15(bytes: Uint8Array): KeyObject {
  const outer = readTlv(bytes);
  if (outer.tag !== 0x6f) throw new Error('DG15 does not start with tag 6F');
  return createPublicKey({ key: outer.value, format: 'der', type: 'spki' });
}
