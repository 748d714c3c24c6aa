import type { PassportConfig } from '../../config/sections/passport.ts';
import type { ChipReader } from './interface.ts';
import { PcscChipReader } from './pcsc.ts';
import { SimulatedChipReader } from './sim-reader.ts';

export type { ApduTransport, ChipReader, ChipReaderEvent } from './interface.ts';
export { PcscChipReader } from './pcsc.ts';
export { SimulatedChipReader, type ReaderFault } from './sim-reader.ts';
export { SimulatedChip, type ChipImage, type ChipFault } from './sim-chip.ts';
export { loadChipImage } from './chip-image.ts';

/** The chip reader the configuration names; constructing opens nothing (call start()). */
export function createChipReader(config: Pick<PassportConfig, 'chipReader' | 'pcscReaderName'>): ChipReader {
  return config.chipReader === 'pcsc' ? new PcscChipReader(config.pcscReaderName) : new SimulatedChipReader();
}
