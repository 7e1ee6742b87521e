import { errorMessage } from '../api/errors';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IJobRecord,
  IRunRecord
} from '../api/models';
import { groupJobsByRun, JobsPanelEntry } from '../runs/grouping';
import {
  hasRuns,
  normalizeRun,
  runIdOfEvent,
  runOfEvent
} from '../runs/runRecord';
import type { IJwstLabClient } from '../tokens';
import {
  jobIdOfEvent,
  jobOfEvent,
  normalizeJob,
  normalizeProgress
} from './jobRecord';
import type { LoadStatus } from './loadable';
import { Model } from './model';

/** Jobs asked for per request: the panel shows the newest ones. */
export const JOBS_PAGE_SIZE = 100;

/** The values of the jobs filter: every job, or the jobs in one state; in menu order. */
export const JOBS_FILTERS = [
  'all',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted'
] as const;

/** What the job list shows: every job, or the jobs in one state. */
export type JobsFilter = (typeof JOBS_FILTERS)[number];

/** Whether `value` (e.g. read back from the state database) is a jobs filter. */
export function isJobsFilter(value: unknown): value is JobsFilter {
  return (
    typeof value === 'string' &&
    (JOBS_FILTERS as readonly string[]).includes(value)
  );
}

/**
 * The jobs the Jobs panel shows: loaded over REST, then updated in place from
 * the events stream; loaded again when events were missed (`events.dropped`,
 * or a reconnected websocket).
 */
export class JobsModel extends Model {
  /** Create a model; it asks nothing before `start()`. */
  constructor(options: JobsModel.IOptions) {
    super();
    this._client = options.client;
    this._events = options.events;
    this._filter = options.filter ?? 'all';
    this._lastConnectionState = this._events.connectionState;
    this._events.events.connect(this._onEvent, this);
    this._events.connectionStateChanged.connect(this._onConnectionState, this);
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
      this.emitChanged();
    }
  }

  /**
   * Where the list's request is: `idle` before `start()` (the server may lack
   * jobs), `loading` until the first answer for this filter, `ready` (kept up
   * to date by events), or `error` (`error` says why).
   */
  get state(): LoadStatus {
    return this._state;
  }

  /** The state of the events stream (whether the list is updated live). */
  get connectionState(): ConnectionState {
    return this._lastConnectionState;
  }

  /** The job whose details were opened last (highlighted in the list), or null. */
  get selectedJob(): string | null {
    return this._selectedJob;
  }

  set selectedJob(value: string | null) {
    if (value === this._selectedJob) {
      return;
    }
    this._selectedJob = value;
    this.emitChanged();
  }

  /** Why the last request failed, or null. */
  get error(): string | null {
    return this._error;
  }

  /** The jobs matching the filter, newest first. */
  get jobs(): readonly IJobRecord[] {
    return this._jobs;
  }

  /** The runs known (loaded with the jobs, then kept up to date by `run.*` events), by id. */
  get runs(): ReadonlyMap<string, IRunRecord> {
    return this._runs;
  }

  /**
   * The rows of the panel: each run with its children (in the list's order),
   * every other job on its own, newest first. A run none of whose jobs is
   * listed yet shows only under the `all` filter.
   */
  get entries(): readonly JobsPanelEntry[] {
    if (this._entries === null || this._entriesVersion !== this.version) {
      this._entries = groupJobsByRun(
        this._jobs,
        this._runs,
        this._filter === 'all'
      );
      this._entriesVersion = this.version;
    }
    return this._entries;
  }

  /** Whether a run's children are shown. */
  isRunExpanded(id: string): boolean {
    return this._expandedRuns.has(id);
  }

  /** Show or hide a run's children. */
  toggleRun(id: string): void {
    const expanded = new Set(this._expandedRuns);
    if (expanded.has(id)) {
      expanded.delete(id);
    } else {
      expanded.add(id);
    }
    this._expandedRuns = expanded;
    this.emitChanged();
  }

  /** How many jobs match the filter on the server (may exceed `jobs.length`). */
  get total(): number {
    return this._total;
  }

  /** Whether a request is under way (also while showing older results). */
  get isRefreshing(): boolean {
    return this._pending > 0;
  }

  /** Load the list for the first time; later calls do nothing. */
  start(): void {
    if (this._state !== 'idle' || this.isDisposed) {
      return;
    }
    void this.refresh();
  }

  /**
   * Ask the server for the jobs again; resolves when the answer was applied
   * (or superseded by a newer request). Never rejects: failures land in `error`.
   */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
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
    this.emitChanged();
    try {
      const [answer, runs] = await Promise.all([
        this._client.listJobs({
          status: filter === 'all' ? undefined : filter,
          pageSize: JOBS_PAGE_SIZE
        }),
        this._listRuns()
      ]);
      if (this.isDisposed || generation !== this._generation) {
        return;
      }
      if (runs !== null) {
        this._runs = runs;
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
      if (this.isDisposed || generation !== this._generation) {
        return;
      }
      this._buffer = null;
      this._state = 'error';
      this._error = errorMessage(error);
    } finally {
      this._pending -= 1;
    }
    this.emitChanged();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._events.events.disconnect(this._onEvent, this);
    this._events.connectionStateChanged.disconnect(
      this._onConnectionState,
      this
    );
    super.dispose();
  }

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    if (this._state === 'idle') {
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
      this.emitChanged();
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
    } else {
      this.emitChanged();
    }
  }

  /**
   * The runs of the newest page, by id, or null when the server has no runs
   * or they cannot be listed (the jobs are still shown, grouped by `run_id`).
   */
  private async _listRuns(): Promise<Map<string, IRunRecord> | null> {
    if (!hasRuns(this._client)) {
      return null;
    }
    try {
      const answer = await this._client.listRuns({ pageSize: JOBS_PAGE_SIZE });
      const runs = new Map<string, IRunRecord>();
      for (const value of Array.isArray(answer.runs) ? answer.runs : []) {
        const run = normalizeRun(value);
        if (run) {
          runs.set(run.id, run);
        }
      }
      return runs;
    } catch (error) {
      console.warn('jwst-lab: cannot list the runs', error);
      return null;
    }
  }

  /** Apply one job or run event to the list; true when the list changed. */
  private _apply(message: EventsStreamMessage): boolean {
    const jobId = jobIdOfEvent(message);
    switch (message.type) {
      case 'run.created':
      case 'run.updated': {
        const run = runOfEvent(message);
        if (!run) {
          return false;
        }
        const runs = new Map(this._runs);
        runs.set(run.id, run);
        this._runs = runs;
        return true;
      }
      case 'run.deleted': {
        const id = runIdOfEvent(message);
        if (id === null || !this._runs.has(id)) {
          return false;
        }
        const runs = new Map(this._runs);
        runs.delete(id);
        this._runs = runs;
        return true;
      }
      case 'job.created':
      case 'job.updated': {
        const job = jobOfEvent(message);
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
            ...progress
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
  private _selectedJob: string | null = null;
  private _state: LoadStatus = 'idle';
  private _error: string | null = null;
  private _jobs: IJobRecord[] = [];
  private _runs: Map<string, IRunRecord> = new Map();
  private _expandedRuns: Set<string> = new Set();
  private _entries: JobsPanelEntry[] | null = null;
  private _entriesVersion = -1;
  private _total = 0;
  private _generation = 0;
  private _pending = 0;
  private _buffer: EventsStreamMessage[] | null = null;
  private _lastConnectionState: ConnectionState;
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
