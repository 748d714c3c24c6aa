/**
 * Which test file starts next (scripts/run-tests.ts). Most of the long files spend their time
 * waiting, not computing: a gate crossing in real time waits on door travel, presentation
 * timeouts and a chip's read time (the pedestrian scenarios used 23 s of CPU in 141 s, the
 * kill test 37 s in 97 s). Two lanes left a core idle through them. So the runner keeps up to
 * `jobs` files running as before, and starts another only while the CPU the running files are
 * known to use (seconds of CPU per second, from a reference run) leaves room for it within
 * `jobs` cores — the suite asks no more of the machine than two busy lanes would, and still
 * passes beside two CPU burners.
 */
export interface Candidate {
  file: string;
  /** Seconds the file took on the reference run. */
  wall: number;
  /** CPU seconds it used there (its process and the children it waited for); unknown: treated as busy throughout. */
  cpu?: number;
  /** @serial: one pcscd per machine; never two at once. */
  serial: boolean;
}

export interface SchedulePolicy {
  /** Files always allowed to run at once (the cores). */
  jobs: number;
  /** Never more files at once than this, however idle they are. */
  maxFiles: number;
}

/** CPU a file keeps busy while it runs (cores); a file without a CPU record counts as one full core. */
export function cpuRate(c: Candidate): number {
  if (c.cpu === undefined || c.wall <= 0) return 1;
  // Measured on a loaded machine the rate reads low (the file waited for the CPU too): half again as margin.
  return Math.min(1, (1.5 * c.cpu) / c.wall);
}

/**
 * The next file to start from `queue` (longest first) given what runs, or undefined to wait.
 * A @serial file goes first whenever no @serial file runs: together they are the longest chain.
 * Below `jobs` files the longest waiting file starts; above, only a file whose CPU fits.
 */
export function nextFile(queue: readonly Candidate[], running: readonly Candidate[], p: SchedulePolicy): Candidate | undefined {
  if (running.length >= p.maxFiles) return undefined;
  const serialBusy = running.some((r) => r.serial);
  const eligible = queue.filter((c) => !(c.serial && serialBusy));
  if (!eligible.length) return undefined;
  const ordered = [...eligible.filter((c) => c.serial), ...eligible.filter((c) => !c.serial)];
  if (running.length < p.jobs) return ordered[0];
  const used = running.reduce((a, r) => a + cpuRate(r), 0);
  return ordered.find((c) => used + cpuRate(c) <= p.jobs);
}
