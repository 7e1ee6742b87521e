import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IJobProgress,
  IJobRecord,
  JobStatus
} from '../api/types';
import type { IJwstLabClient } from '../tokens';

/** Jobs asked for per request: the panel shows the newest ones. */
export const JOBS_PAGE_SIZE = 100;

/** What the job list shows: a status or every job. */
export type JobsFilter = JobStatus | 'all';

/**
 * Whether the list is being loaded, is loaded, or could not be loaded.
 *
 * - `idle`: `start()` was not called yet (the server may lack jobs).
 * - `loading`: the first answer for this filter did not arrive yet.
 * - `ready`: `jobs` holds the server's answer, kept up to date by events.
 * - `error`: the last request failed; `error` says why.
 */
export type JobsLoadState = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The jobs the Jobs panel shows: loaded over REST, then updated in place from
 * the events stream; loaded again when events were missed (`events.dropped`,
 * or a reconnected websocket).
 */
export class JobsModel implements IDisposable {
  /** Create a model; it asks nothing before `start()`. */
  constructor(options: JobsModel.IOptions) {
    this._client = options.client;
    this._events = options.events;
    this._filter = options.filter ?? 'all';
    this._lastConnectionState = this._events.connectionState;
    this._events.events.connect(this._onEvent, this);
    this._events.connectionStateChanged.connect(this._onConnectionState, this);
  }

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The status shown, or `all`. */
  get filter(): JobsFilter {
    return this._filter;
  }

  set filter(value: JobsFilter) {
    if (value === this._filter) {
      return;
    }
    this._filter = value;
    this._jobs = [];
    this._total = 0;
    if (this._state !== 'idle') {
      // The old list says nothing about the new filter: show loading.
      this._state = 'loading';
      void this.refresh();
    } else {
      this._changed.emit();
    }
  }

  /** The loading state of the list. */
  get state(): JobsLoadState {
    return this._state;
  }

  /** Why the last request failed, or null. */
  get error(): string | null {
    return this._error;
  }

  /** The jobs matching the filter, newest first. */
  get jobs(): readonly IJobRecord[] {
    return this._jobs;
  }

  /** How many jobs match the filter on the server (may exceed `jobs.length`). */
  get total(): number {
    return this._total;
  }

  /** Whether a request is under way (also while showing older results). */
  get isRefreshing(): boolean {
    return this._pending > 0;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Load the list for the first time; later calls do nothing. */
  start(): void {
    if (this._state !== 'idle' || this._isDisposed) {
      return;
    }
    void this.refresh();
  }

  /**
   * Ask the server for the jobs again; resolves when the answer was applied
   * (or superseded by a newer request). Never rejects: failures land in `error`.
   */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const generation = ++this._generation;
    const filter = this._filter;
    // Events that arrive while the request is under way are applied again on
    // top of its answer, which may have been computed before them.
    this._buffer = [];
    this._pending += 1;
    if (this._state !== 'ready') {
      this._state = 'loading';
      this._error = null;
    }
    this._changed.emit();
    try {
      const answer = await this._client.listJobs({
        status: filter === 'all' ? undefined : filter,
        pageSize: JOBS_PAGE_SIZE
      });
      if (this._isDisposed || generation !== this._generation) {
        return;
      }
      this._jobs = (Array.isArray(answer.jobs) ? answer.jobs : [])
        .map(normalizeJob)
        .filter((job): job is IJobRecord => job !== null);
      this._total =
        typeof answer.total === 'number' ? answer.total : this._jobs.length;
      this._state = 'ready';
      this._error = null;
      const buffered = this._buffer ?? [];
      this._buffer = null;
      buffered.forEach(message => this._apply(message));
    } catch (error) {
      if (this._isDisposed || generation !== this._generation) {
        return;
      }
      this._buffer = null;
      this._state = 'error';
      this._error = error instanceof Error ? error.message : String(error);
    } finally {
      this._pending -= 1;
    }
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._events.events.disconnect(this._onEvent, this);
    this._events.connectionStateChanged.disconnect(
      this._onConnectionState,
      this
    );
    Signal.clearData(this);
  }

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    if (this._state === 'idle' || this._isDisposed) {
      return;
    }
    if (message.type === 'events.dropped') {
      void this.refresh();
      return;
    }
    if (this._buffer !== null) {
      this._buffer.push(message);
    }
    if (this._apply(message)) {
      this._changed.emit();
    }
  }

  private _onConnectionState(
    _: IEventsConnection,
    state: ConnectionState
  ): void {
    const previous = this._lastConnectionState;
    this._lastConnectionState = state;
    // Events published while the socket was down are lost: reload.
    if (state === 'open' && previous !== 'open' && this._state !== 'idle') {
      void this.refresh();
    }
  }

  /** Apply one job event to the list; true when the list changed. */
  private _apply(message: EventsStreamMessage): boolean {
    const jobId = (message as { job_id?: unknown }).job_id;
    switch (message.type) {
      case 'job.created':
      case 'job.updated': {
        const job = normalizeJob((message as { job?: unknown }).job);
        return job !== null && this._upsert(job);
      }
      case 'job.progress': {
        const index = this._jobs.findIndex(job => job.id === jobId);
        const progress = (message as { progress?: unknown }).progress;
        if (index < 0 || typeof progress !== 'object' || progress === null) {
          return false;
        }
        const jobs = this._jobs.slice();
        jobs[index] = {
          ...jobs[index],
          progress: normalizeProgress({
            ...jobs[index].progress,
            ...(progress as Partial<IJobProgress>)
          })
        };
        this._jobs = jobs;
        return true;
      }
      case 'job.deleted': {
        const jobs = this._jobs.filter(job => job.id !== jobId);
        if (jobs.length === this._jobs.length) {
          return false;
        }
        this._jobs = jobs;
        this._total = Math.max(0, this._total - 1);
        return true;
      }
      default:
        return false;
    }
  }

  /** Insert, replace or (when it left the filter) remove `job`. */
  private _upsert(job: IJobRecord): boolean {
    const matches = this._filter === 'all' || job.status === this._filter;
    const index = this._jobs.findIndex(existing => existing.id === job.id);
    if (index >= 0) {
      const jobs = this._jobs.slice();
      if (matches) {
        jobs[index] = job;
      } else {
        jobs.splice(index, 1);
        this._total = Math.max(0, this._total - 1);
      }
      this._jobs = jobs;
      return true;
    }
    if (!matches) {
      return false;
    }
    this._jobs = sortNewestFirst([job, ...this._jobs]);
    this._total += 1;
    return true;
  }

  private readonly _client: IJwstLabClient;
  private readonly _events: IEventsConnection;
  private _filter: JobsFilter;
  private _state: JobsLoadState = 'idle';
  private _error: string | null = null;
  private _jobs: IJobRecord[] = [];
  private _total = 0;
  private _generation = 0;
  private _pending = 0;
  private _buffer: EventsStreamMessage[] | null = null;
  private _lastConnectionState: ConnectionState;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/** The namespace for `JobsModel` statics. */
export namespace JobsModel {
  /** Options to create a jobs model. */
  export interface IOptions {
    client: IJwstLabClient;
    events: IEventsConnection;
    /** The initial filter (default `all`). */
    filter?: JobsFilter;
  }
}

/**
 * A job record from the server with the fields the panel reads made safe, or
 * null when `value` is not a job at all. Unknown fields are kept.
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
  return {
    ...raw,
    id: raw.id,
    kind:
      raw.kind === 'download' || raw.kind === 'crds_fetch'
        ? raw.kind
        : 'pipeline',
    status: (text('status') ?? 'queued') as JobStatus,
    created: text('created'),
    started: text('started'),
    finished: text('finished'),
    updated: text('updated'),
    input: text('input'),
    pipeline: text('pipeline'),
    progress: normalizeProgress(raw.progress),
    outputs: Array.isArray(raw.outputs)
      ? raw.outputs.filter((item): item is string => typeof item === 'string')
      : [],
    exit_code: typeof raw.exit_code === 'number' ? raw.exit_code : null,
    error: text('error')
  };
}

/** A job's `progress` with its fields made safe (steps; bytes and files for downloads). */
export function normalizeProgress(value: unknown): IJobProgress {
  const raw =
    typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : {};
  return {
    steps_total:
      typeof raw.steps_total === 'number' && raw.steps_total >= 0
        ? raw.steps_total
        : null,
    steps_done:
      typeof raw.steps_done === 'number' && raw.steps_done >= 0
        ? raw.steps_done
        : 0,
    current_step:
      typeof raw.current_step === 'string' ? raw.current_step : null,
    skipped_steps: Array.isArray(raw.skipped_steps)
      ? raw.skipped_steps.filter(
          (item): item is string => typeof item === 'string'
        )
      : [],
    // Download jobs count bytes and files.
    ...(typeof raw.bytes_done === 'number'
      ? {
          bytes_done: raw.bytes_done,
          bytes_total:
            typeof raw.bytes_total === 'number' ? raw.bytes_total : null,
          files_done: typeof raw.files_done === 'number' ? raw.files_done : 0,
          files_total:
            typeof raw.files_total === 'number' ? raw.files_total : null
        }
      : {})
  };
}

function sortNewestFirst(jobs: IJobRecord[]): IJobRecord[] {
  const time = (job: IJobRecord) => {
    const parsed = job.created ? Date.parse(job.created) : NaN;
    return Number.isNaN(parsed) ? Infinity : parsed;
  };
  // Stable: jobs with equal (or unknown) creation times keep their order.
  return jobs
    .map((job, index) => ({ job, index, time: time(job) }))
    .sort((a, b) => b.time - a.time || a.index - b.index)
    .map(entry => entry.job);
}

/**
 * How long a job ran (or has been running, up to `now`), e.g. `42s`, `3m 05s`,
 * `1h 02m`; null before it started.
 */
export function formatElapsed(
  job: Pick<IJobRecord, 'started' | 'finished'>,
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

/** The first non-empty line of an error message. */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map(line => line.trim())
      .find(line => line.length > 0) ?? ''
  );
}
