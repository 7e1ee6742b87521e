import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IJobProgress,
  IJobRecord
} from '../api/models';
import type { IJwstLabClient } from '../tokens';
import {
  isFinal,
  jobIdOfEvent,
  jobOfEvent,
  normalizeJob,
  normalizeProgress
} from './jobRecord';
import { Model } from './model';

/**
 * Follows one job's record: live through the page's events stream
 * (`job.updated`, `job.progress`, `job.deleted`), and over REST
 * (`GET /jobs/{id}`) when events may have been missed (`events.dropped`, a
 * reconnected websocket) and, every `pollInterval`, while the websocket is not
 * open and the job has not ended.
 *
 * Everything that follows a job uses it: the MAST panel's downloads, the CRDS
 * fetch button, a job's tab. Views read `job`; `changed` says when it moved,
 * `ended` when it reached a final state.
 */
export class JobTracker extends Model {
  /**
   * Follow a job: from its record (e.g. the answer that created it), or from
   * its id alone (then the record is asked for at once).
   */
  constructor(options: JobTracker.IOptions) {
    super();
    this._client = options.client;
    this._events = options.events ?? null;
    this._pollInterval = options.pollInterval ?? JobTracker.POLL_INTERVAL;
    this._events?.events.connect(this._onEvent, this);
    this._events?.connectionStateChanged.connect(this._onConnection, this);
    this._connection = this._events?.connectionState ?? 'idle';
    if (typeof options.job === 'string') {
      this.id = options.job;
      void this.refresh();
    } else {
      this.id = options.job.id;
      this.apply(options.job);
    }
  }

  /** The id of the job followed. */
  readonly id: string;

  /** The job's last known record, or null before the first answer. */
  get job(): IJobRecord | null {
    return this._job;
  }

  /** The job's progress, or null before the first answer. */
  get progress(): IJobProgress | null {
    return this._job?.progress ?? null;
  }

  /** Whether the job has ended (succeeded, failed, cancelled, interrupted). */
  get isFinal(): boolean {
    return this._job !== null && isFinal(this._job.status);
  }

  /** Whether the job's record was deleted. */
  get deleted(): boolean {
    return this._deleted;
  }

  /** Why asking the server for the job failed the last time, or null. */
  get error(): IProblem | null {
    return this._error;
  }

  /** Emitted with the record each time the job reaches a final state. */
  get ended(): ISignal<this, IJobRecord> {
    return this._ended;
  }

  /**
   * Ask the server for the job's record (`GET /jobs/{id}`). Never rejects:
   * a failure lands in `error` and the next event or poll tries again.
   */
  async refresh(): Promise<void> {
    if (this.isDisposed || this._deleted) {
      return;
    }
    const generation = this._eventGeneration;
    try {
      const record = normalizeJob(await this._client.getJob(this.id));
      if (this.isDisposed || !record || record.id !== this.id) {
        return;
      }
      // A newer event may have been applied while the request was under way.
      if (
        generation !== this._eventGeneration &&
        !Private.isNewer(record, this._job)
      ) {
        return;
      }
      this._error = null;
      this.apply(record);
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._error = problemOf(error);
      this.emitChanged();
    }
  }

  /** Take a record of the job received another way (e.g. the answer to a cancel). */
  apply(record: IJobRecord): void {
    const job = normalizeJob(record);
    if (this.isDisposed || !job || job.id !== this.id) {
      return;
    }
    if (Private.isOlder(job, this._job)) {
      return;
    }
    const wasFinal = this.isFinal;
    this._job = job;
    this._error = null;
    this._schedulePolling();
    this.emitChanged();
    if (!wasFinal && this.isFinal) {
      this._ended.emit(job);
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopPolling();
    this._events?.events.disconnect(this._onEvent, this);
    this._events?.connectionStateChanged.disconnect(this._onConnection, this);
    super.dispose();
  }

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    if (message.type === 'events.dropped') {
      void this.refresh();
      return;
    }
    const job = jobOfEvent(message);
    if (job) {
      if (job.id === this.id) {
        this._eventGeneration++;
        this.apply(job);
      }
      return;
    }
    if (jobIdOfEvent(message) !== this.id) {
      return;
    }
    if (message.type === 'job.progress' && this._job) {
      const progress = (message as { progress?: unknown }).progress;
      if (typeof progress !== 'object' || progress === null) {
        return;
      }
      this._eventGeneration++;
      this._job = {
        ...this._job,
        // Progress means the job runs, even before its `job.updated` arrives.
        status: this._job.status === 'queued' ? 'running' : this._job.status,
        progress: normalizeProgress({ ...this._job.progress, ...progress })
      };
      this.emitChanged();
    } else if (message.type === 'job.deleted') {
      this._deleted = true;
      this._stopPolling();
      this.emitChanged();
    }
  }

  private _onConnection(_: IEventsConnection, state: ConnectionState): void {
    const previous = this._connection;
    this._connection = state;
    // Events published while the socket was down are lost: ask again.
    if (state === 'open' && previous !== 'open') {
      void this.refresh();
    }
  }

  /** Poll while the job runs; each tick asks only when live events are not flowing. */
  private _schedulePolling(): void {
    if (this.isFinal || this._deleted || this._pollInterval <= 0) {
      this._stopPolling();
      return;
    }
    if (this._timer !== null) {
      return;
    }
    this._timer = setInterval(() => {
      if (this._events?.connectionState !== 'open') {
        void this.refresh();
      }
    }, this._pollInterval);
  }

  private _stopPolling(): void {
    if (this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _events: IEventsConnection | null;
  private readonly _pollInterval: number;
  private _connection: ConnectionState;
  private _job: IJobRecord | null = null;
  private _error: IProblem | null = null;
  private _deleted = false;
  private _eventGeneration = 0;
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _ended = new Signal<this, IJobRecord>(this);
}

/** The namespace for `JobTracker` statics. */
export namespace JobTracker {
  /** How often a running job is asked for while live events are not flowing, ms. */
  export const POLL_INTERVAL = 2000;

  /** Where trackers ask: what a model that follows jobs is given. */
  export interface IContext {
    client: IJwstLabClient;
    /** The page's events stream; without it the job is only polled. */
    events?: IEventsConnection | null;
    /** Polling interval while events do not flow, ms; 0 never polls (default 2000). */
    pollInterval?: number;
  }

  /** Options to follow a job. */
  export interface IOptions extends IContext {
    /** The job's record, or its id. */
    job: IJobRecord | string;
  }
}

namespace Private {
  /** Whether `record` was updated after `current` (both timestamps known). */
  export function isNewer(
    record: IJobRecord,
    current: IJobRecord | null
  ): boolean {
    return current !== null && isOlder(current, record);
  }

  /** Whether `record` was updated before `current` (both timestamps known). */
  export function isOlder(
    record: IJobRecord,
    current: IJobRecord | null
  ): boolean {
    if (!current?.updated || !record.updated) {
      return false;
    }
    const then = Date.parse(record.updated);
    const now = Date.parse(current.updated);
    return !Number.isNaN(then) && !Number.isNaN(now) && then < now;
  }
}
