/**
 * How numbers, times and paths read in every view.
 */

/**
 * A size in bytes for people, in decimal units (1 kB = 1000 bytes): `512 B`,
 * `16.1 kB`, `2.5 MB`, `123 MB`.
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/**
 * How long a job ran (or has been running, up to `now`), e.g. `42s`, `3m 05s`,
 * `1h 02m`; null before it started.
 */
export function formatElapsed(
  job: { started: string | null; finished: string | null },
  now: number
): string | null {
  if (!job.started) {
    return null;
  }
  const start = Date.parse(job.started);
  const end = job.finished ? Date.parse(job.finished) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return null;
  }
  const seconds = Math.max(0, Math.floor((end - start) / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${pad(seconds % 60)}s`;
  }
  return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
}

/** The last segment of a path (`a/b/c_asn.json` → `c_asn.json`). */
export function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length > 0 ? parts[parts.length - 1] : path;
}

/** The first non-empty line of a text (e.g. of an error message). */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map(line => line.trim())
      .find(line => line.length > 0) ?? ''
  );
}

/**
 * The time still expected, for people: `under a minute`, `~4 min`,
 * `~1 h 05 min`; null when unknown (or negative: the estimate has passed).
 */
export function formatEta(seconds: number | null | undefined): string | null {
  if (
    seconds === null ||
    seconds === undefined ||
    !Number.isFinite(seconds) ||
    seconds < 0
  ) {
    return null;
  }
  if (seconds < 60) {
    return 'under a minute';
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `~${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return `~${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * The seconds still expected at `now` from an estimate made at `at` (an ISO
 * time; the estimate as it is when unknown), never below 0; null when there
 * is no estimate.
 */
export function remainingSeconds(
  etaSeconds: number | null | undefined,
  at: string | null | undefined,
  now: number
): number | null {
  if (etaSeconds === null || etaSeconds === undefined) {
    return null;
  }
  const then = at ? Date.parse(at) : NaN;
  if (Number.isNaN(then)) {
    return Math.max(0, etaSeconds);
  }
  return Math.max(0, etaSeconds - Math.max(0, (now - then) / 1000));
}
