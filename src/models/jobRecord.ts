/**
 * Job records as the server sends them, made safe to read: the fields views
 * use, with their types checked, and what a job's state means.
 */
import type {
  IDownloadProgress,
  IJobProgress,
  IJobResources,
  IJobRecord,
  JobStatus
} from '../api/models';

/** Job states after which nothing changes any more (until a restart queues it again). */
export const FINAL_STATUSES: readonly JobStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'interrupted'
];

/** Whether a job has ended. */
export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/**
 * A job record from the server with every field of the spec's `Job` made
 * safe to read (the type it should have, else an empty value), or null when
 * `value` is not a job at all. Fields the spec does not list are kept.
 */
export function normalizeJob(value: unknown): IJobRecord | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.id !== 'string') {
    return null;
  }
  const text = (key: string): string | null =>
    typeof raw[key] === 'string' ? (raw[key] as string) : null;
  const object = (key: string): Record<string, unknown> | null =>
    typeof raw[key] === 'object' &&
    raw[key] !== null &&
    !Array.isArray(raw[key])
      ? (raw[key] as Record<string, unknown>)
      : null;
  const strings = (key: string): string[] =>
    Array.isArray(raw[key])
      ? (raw[key] as unknown[]).filter(
          (item): item is string => typeof item === 'string'
        )
      : [];
  const commands = object('commands');
  const versions: Record<string, string | null> = {};
  for (const [name, version] of Object.entries(object('versions') ?? {})) {
    versions[name] = typeof version === 'string' ? version : null;
  }
  return {
    ...raw,
    id: raw.id,
    kind:
      raw.kind === 'download' || raw.kind === 'crds_fetch'
        ? raw.kind
        : 'pipeline',
    status: (text('status') ?? 'queued') as JobStatus,
    created: text('created') ?? '',
    started: text('started'),
    finished: text('finished'),
    updated: text('updated'),
    input: text('input') ?? '',
    pipeline: text('pipeline'),
    steps: (object('steps') ?? {}) as IJobRecord['steps'],
    params: object('params'),
    crds_context_requested: text('crds_context_requested'),
    crds_context_used: text('crds_context_used'),
    crds_context: text('crds_context'),
    output_dir: text('output_dir') ?? '',
    argv: strings('argv'),
    commands: {
      strun: typeof commands?.strun === 'string' ? commands.strun : '',
      python: typeof commands?.python === 'string' ? commands.python : ''
    },
    rerun_of: text('rerun_of'),
    versions,
    progress: normalizeProgress(raw.progress),
    outputs: strings('outputs'),
    partial_outputs: strings('partial_outputs'),
    warnings: strings('warnings'),
    exit_code: typeof raw.exit_code === 'number' ? raw.exit_code : null,
    error: text('error'),
    executor: text('executor') ?? '',
    run_id: text('run_id'),
    depends_on: strings('depends_on'),
    memory_estimate_bytes:
      typeof raw.memory_estimate_bytes === 'number'
        ? raw.memory_estimate_bytes
        : null,
    resources: normalizeResources(raw.resources),
    reason: text('reason')
  };
}

/** A job's measured `resources`, or null when it has none (yet) or they are malformed. */
export function normalizeResources(value: unknown): IJobResources | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const raw = value as Record<string, unknown>;
  const keys = [
    'peak_rss_bytes',
    'cpu_seconds',
    'wall_seconds',
    'bytes_written'
  ] as const;
  if (keys.some(key => typeof raw[key] !== 'number')) {
    return null;
  }
  return {
    peak_rss_bytes: raw.peak_rss_bytes as number,
    cpu_seconds: raw.cpu_seconds as number,
    wall_seconds: raw.wall_seconds as number,
    bytes_written: raw.bytes_written as number
  };
}

/** The well-formed entries of a progress's `step_times`. */
function stepTimes(items: unknown[]): NonNullable<IJobProgress['step_times']> {
  const entries: NonNullable<IJobProgress['step_times']> = [];
  for (const item of items) {
    const entry = item as Record<string, unknown> | null;
    if (
      typeof entry?.name === 'string' &&
      typeof entry.start === 'number' &&
      (typeof entry.seconds === 'number' || entry.seconds === null)
    ) {
      entries.push({
        name: entry.name,
        start: entry.start,
        seconds: entry.seconds,
        skipped: entry.skipped === true
      });
    }
  }
  return entries;
}

/** A job's `progress` with its fields made safe (steps; bytes and files for transfers). */
export function normalizeProgress(value: unknown): IJobProgress {
  const raw =
    typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : {};
  const count = (key: string): number | null =>
    typeof raw[key] === 'number' && (raw[key] as number) >= 0
      ? (raw[key] as number)
      : null;
  const transfer = transferProgress(raw);
  return {
    // 0 while the number of steps is not known yet.
    steps_total: count('steps_total') ?? 0,
    steps_done: count('steps_done') ?? 0,
    current_step:
      typeof raw.current_step === 'string' ? raw.current_step : null,
    skipped_steps: Array.isArray(raw.skipped_steps)
      ? raw.skipped_steps.filter(
          (item): item is string => typeof item === 'string'
        )
      : [],
    ...(Array.isArray(raw.step_times)
      ? { step_times: stepTimes(raw.step_times) }
      : {}),
    // Downloads and CRDS fetches count bytes and files.
    ...(transfer ?? {}),
    ...(transfer && typeof raw.current_file === 'string'
      ? { current_file: raw.current_file }
      : {})
  };
}

/**
 * The bytes and files a transfer (download, CRDS fetch) moved so far, from a
 * job's progress, or null when the progress counts neither.
 */
export function transferProgress(value: unknown): IDownloadProgress | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const raw = value as Record<string, unknown>;
  if (
    typeof raw.bytes_done !== 'number' &&
    typeof raw.files_done !== 'number'
  ) {
    return null;
  }
  const count = (key: string): number | null =>
    typeof raw[key] === 'number' && (raw[key] as number) >= 0
      ? (raw[key] as number)
      : null;
  return {
    bytes_done: count('bytes_done') ?? 0,
    bytes_total: count('bytes_total'),
    files_done: count('files_done') ?? 0,
    files_total: count('files_total')
  };
}

/** The job of a `job.created` / `job.updated` event, or null. */
export function jobOfEvent(message: { type: string }): IJobRecord | null {
  if (message.type !== 'job.created' && message.type !== 'job.updated') {
    return null;
  }
  return normalizeJob((message as { job?: unknown }).job);
}

/** The job id an event is about (`job_id`), or null. */
export function jobIdOfEvent(message: { type: string }): string | null {
  const id = (message as { job_id?: unknown }).job_id;
  return typeof id === 'string' ? id : null;
}

/** The JWST program a path names (`jw01234…` → `jw01234`), or null. */
export function programOf(path: string): string | null {
  const name = path.split('/').pop() ?? '';
  const match = /^jw(\d{5})/i.exec(name);
  return match ? `jw${match[1]}` : null;
}

/** The characters of a job id a title shows: enough to tell the tabs apart. */
export const SHORT_ID_LENGTH = 4;

/**
 * A job's short title, the same in the Jobs list and on its tab: program,
 * stage and the start of its id, e.g. `jw01234 image3 · 3f2a`. Runs of the
 * same pipeline on the same program differ by the id.
 */
export function jobTitle(
  job: Pick<IJobRecord, 'id' | 'kind' | 'pipeline' | 'input' | 'output_dir'>,
  words: { download: string; crdsFetch: string; job: string }
): string {
  const program = programOf(job.input) ?? programOf(job.output_dir);
  const stage =
    job.kind === 'download'
      ? words.download
      : job.kind === 'crds_fetch'
        ? words.crdsFetch
        : job.pipeline
          ? job.pipeline.replace(/^calwebb_/, '')
          : words.job;
  const head = program ? `${program} ${stage}` : stage;
  return `${head} · ${job.id.slice(0, SHORT_ID_LENGTH)}`;
}
