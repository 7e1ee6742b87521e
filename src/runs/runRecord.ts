/**
 * Run records as the server sends them, made safe to read, and what a run's
 * state means: final states, the run an event or a job belongs to, the
 * program a run reduces and its tab title.
 */
import type {
  IRunJob,
  IRunRecord,
  RunJobStatus,
  RunStatus
} from '../api/models';
import { FINAL_STATUSES } from '../models/jobRecord';
import type { Feature, IJwstLabClient } from '../tokens';

/**
 * The route group of `/runs` in `GET /info` `features`: the server serves
 * runs with its jobs (the `jobs` group); a `runs` group, should a server list
 * one, counts too.
 */
export const RUNS_FEATURES: readonly Feature[] = ['jobs', 'runs' as Feature];

/** Whether the server provides runs (`/runs`). */
export function hasRuns(client: Pick<IJwstLabClient, 'hasFeature'>): boolean {
  return RUNS_FEATURES.some(feature => client.hasFeature(feature));
}

/** Whether a server's feature list includes runs. */
export function listsRuns(features: readonly string[]): boolean {
  return RUNS_FEATURES.some(feature => features.includes(feature));
}

/** Run states after which nothing changes any more (until a resume). */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled'
];

/** Whether a run has ended. */
export function isRunFinal(status: RunStatus): boolean {
  return FINAL_RUN_STATUSES.includes(status);
}

const RUN_STATUSES: readonly string[] = [
  'queued',
  'running',
  ...FINAL_RUN_STATUSES
];

const JOB_STATUSES: readonly string[] = [
  'planned',
  'queued',
  'running',
  ...FINAL_STATUSES
];

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(raw: Raw, key: string): string | null {
  return typeof raw[key] === 'string' ? (raw[key] as string) : null;
}

function count(raw: Raw, key: string): number | null {
  return typeof raw[key] === 'number' && Number.isFinite(raw[key])
    ? (raw[key] as number)
    : null;
}

function strings(raw: Raw, key: string): string[] {
  return Array.isArray(raw[key])
    ? (raw[key] as unknown[]).filter(
        (item): item is string => typeof item === 'string'
      )
    : [];
}

/** One job of a run's graph made safe to read, or null when it is not one. */
export function normalizeRunJob(value: unknown): IRunJob | null {
  if (!isObject(value) || typeof value.id !== 'string') {
    return null;
  }
  const status = text(value, 'status') ?? 'planned';
  return {
    ...value,
    key: text(value, 'key') ?? value.id,
    id: value.id,
    pipeline: text(value, 'pipeline') ?? '',
    level: count(value, 'level') ?? 0,
    input: text(value, 'input') ?? '',
    depends_on: strings(value, 'depends_on'),
    status: (JOB_STATUSES.includes(status)
      ? status
      : 'planned') as RunJobStatus,
    reused: value.reused === true,
    memory_estimate_bytes: count(value, 'memory_estimate_bytes')
  };
}

/**
 * A run record from the server with every field views read made safe (the
 * type it should have, else an empty value), or null when `value` is not a run.
 */
export function normalizeRun(value: unknown): IRunRecord | null {
  if (!isObject(value) || typeof value.id !== 'string') {
    return null;
  }
  const progress = isObject(value.progress) ? value.progress : {};
  const memory = isObject(value.memory) ? value.memory : {};
  const status = text(value, 'status') ?? 'queued';
  const jobs = (Array.isArray(value.jobs) ? value.jobs : [])
    .map(normalizeRunJob)
    .filter((job): job is IRunJob => job !== null);
  return {
    ...value,
    id: value.id,
    status: (RUN_STATUSES.includes(status) ? status : 'queued') as RunStatus,
    created: text(value, 'created') ?? '',
    started: text(value, 'started'),
    finished: text(value, 'finished'),
    updated: text(value, 'updated'),
    inputs: strings(value, 'inputs'),
    target_level: count(value, 'target_level') ?? 3,
    output_dir: text(value, 'output_dir') ?? '',
    steps: (isObject(value.steps) ? value.steps : {}) as IRunRecord['steps'],
    crds_context_requested: text(value, 'crds_context_requested'),
    crds_context_used: text(value, 'crds_context_used'),
    associations: (Array.isArray(value.associations)
      ? value.associations
      : []
    ).filter(isObject) as unknown as IRunRecord['associations'],
    stages: (Array.isArray(value.stages) ? value.stages : [])
      .filter(isObject)
      .map(stage => ({
        level: count(stage, 'level') ?? 0,
        pipeline: text(stage, 'pipeline') ?? '',
        folder: text(stage, 'folder') ?? '',
        jobs: count(stage, 'jobs') ?? 0
      })),
    jobs,
    progress: {
      jobs_done: count(progress, 'jobs_done') ?? 0,
      jobs_total: count(progress, 'jobs_total') ?? jobs.length,
      eta_seconds: count(progress, 'eta_seconds')
    },
    memory: {
      limit_bytes: count(memory, 'limit_bytes') ?? 0,
      peak_estimate_bytes: count(memory, 'peak_estimate_bytes') ?? 0,
      in_use_bytes: count(memory, 'in_use_bytes') ?? 0
    },
    manifest: text(value, 'manifest') ?? '',
    error: text(value, 'error'),
    warnings: strings(value, 'warnings')
  };
}

/** The run of a `run.created` / `run.updated` event, or null. */
export function runOfEvent(message: { type: string }): IRunRecord | null {
  if (message.type !== 'run.created' && message.type !== 'run.updated') {
    return null;
  }
  return normalizeRun((message as { run?: unknown }).run);
}

/** The run id a `run.*` event is about, or null. */
export function runIdOfEvent(message: { type: string }): string | null {
  if (!message.type.startsWith('run.')) {
    return null;
  }
  const id = (message as { run_id?: unknown }).run_id;
  if (typeof id === 'string') {
    return id;
  }
  return runOfEvent(message)?.id ?? null;
}

/** The run a job record belongs to (`run_id`), or null. */
export function runIdOfJob(job: object): string | null {
  const id = (job as { run_id?: unknown }).run_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/**
 * The JWST program of a run's inputs (`jw09999` from `jw09999001001_..._uncal.fits`
 * or `jw09999-o001_..._asn.json`), the folder's name when no input names one.
 */
export function programOf(paths: readonly string[]): string | null {
  for (const path of paths) {
    const match = /(?:^|\/)jw(\d{5})/i.exec(path);
    if (match) {
      return `jw${match[1]}`;
    }
  }
  const first = paths[0];
  if (!first) {
    return null;
  }
  const parts = first.split('/').filter(Boolean);
  return parts.length > 0 ? parts[parts.length - 1] : null;
}

/** The first characters of an id, enough to tell runs apart in a tab title. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** A run's tab title: program, level and short id (`jw09999 · L3 · 1a2b3c4d`). */
export function runTitle(
  run: Pick<IRunRecord, 'id' | 'inputs' | 'target_level' | 'associations'>
): string {
  const program =
    programOf([
      ...run.associations.map(asn => asn.product ?? asn.path),
      ...run.inputs
    ]) ?? 'run';
  return `${program} · L${run.target_level} · ${shortId(run.id)}`;
}
