import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type { EventsStreamMessage, IRunRecord } from '../api/models';
import {
  isOlderRun,
  isRunFinal,
  normalizeRun,
  runIdOfEvent,
  runIdOfJob,
  runOfEvent
} from '../runs/runRecord';
import type { IJwstLabClient } from '../tokens';
import { jobOfEvent } from './jobRecord';
import { JobTracker } from './jobTracker';
import { Model } from './model';

/** Memory the run's running jobs were estimated to need, at one time. */
export interface IMemorySample {
  /** Milliseconds since the epoch. */
  time: number;
  inUse: number;
  limit: number;
}

/** An action of a run's tab that talks to the server. */
export type RunAction = 'cancel' | 'resume';

/**
 * Follows one run: live through the events stream (`run.updated`,
 * `run.deleted`, and its children's `job.updated` for their status between
 * two run events), over REST (`GET /runs/{id}`) when events may have been
 * missed and, every `pollInterval`, while the websocket is not open and the
 * run has not ended. Keeps the memory in use over time, one sample per
 * record that arrived, for the tab's chart.
 */
export class RunTracker extends Model {
  /** Follow a run from its record or its id (then it is asked for at once). */
  constructor(options: RunTracker.IOptions) {
    super();
    this._client = options.client;
    this._events = options.events ?? null;
    this._pollInterval = options.pollInterval ?? JobTracker.POLL_INTERVAL;
    this._now = options.now ?? (() => Date.now());
    this._events?.events.connect(this._onEvent, this);
    this._events?.connectionStateChanged.connect(this._onConnection, this);
    this._connection = this._events?.connectionState ?? 'idle';
    if (typeof options.run === 'string') {
      this.id = options.run;
      void this.refresh();
    } else {
      this.id = options.run.id;
      this.apply(options.run);
    }
  }

  /** The id of the run followed. */
  readonly id: string;

  /** The run's last known record, or null before the first answer. */
  get run(): IRunRecord | null {
    return this._run;
  }

  /** Whether the run has ended. */
  get isFinal(): boolean {
    return this._run !== null && isRunFinal(this._run.status);
  }

  /** Whether the run's record was deleted. */
  get deleted(): boolean {
    return this._deleted;
  }

  /** Why asking for the run failed the last time, or null. */
  get error(): IProblem | null {
    return this._error;
  }

  /** Memory in use over time (oldest first), one sample per record received. */
  get memory(): readonly IMemorySample[] {
    return this._samples;
  }

  /** The action under way, or null. */
  get busy(): RunAction | null {
    return this._busy;
  }

  /** Why the last action failed, or null. */
  get actionError(): IProblem | null {
    return this._actionError;
  }

  /** Emitted with the record each time the run reaches a final state. */
  get ended(): ISignal<this, IRunRecord> {
    return this._ended;
  }

  /** Ask for the run's record (`GET /runs/{id}`); never rejects. */
  async refresh(): Promise<void> {
    if (this.isDisposed || this._deleted) {
      return;
    }
    try {
      const record = normalizeRun(await this._client.getRun(this.id));
      if (this.isDisposed || !record || record.id !== this.id) {
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

  /** Take a record of the run received another way (an action's answer). */
  apply(record: IRunRecord): void {
    const run = normalizeRun(record);
    if (this.isDisposed || !run || run.id !== this.id) {
      return;
    }
    if (isOlderRun(run, this._run)) {
      return;
    }
    const wasFinal = this.isFinal;
    this._run = run;
    this._error = null;
    this._sample(run);
    this._schedulePolling();
    this.emitChanged();
    if (!wasFinal && this.isFinal) {
      this._ended.emit(run);
    }
  }

  /** Cancel the run's jobs that have not ended. */
  cancel(): Promise<void> {
    return this._act('cancel', () => this._client.cancelRun(this.id));
  }

  /** Run again what is not complete. */
  resume(): Promise<void> {
    return this._act('resume', () => this._client.resumeRun(this.id));
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

  private async _act(
    action: RunAction,
    request: () => Promise<IRunRecord>
  ): Promise<void> {
    if (this._busy !== null) {
      return;
    }
    this._busy = action;
    this._actionError = null;
    this.emitChanged();
    try {
      const record = await request();
      this._busy = null;
      // The answer is the run as the action left it (202): newer than what we hold.
      const run = normalizeRun(record);
      if (run) {
        this.apply(run);
      } else {
        void this.refresh();
      }
    } catch (error) {
      this._busy = null;
      this._actionError = problemOf(error);
    }
    this.emitChanged();
  }

  private _sample(run: IRunRecord): void {
    const sample: IMemorySample = {
      time: Date.parse(run.updated ?? '') || this._now(),
      inUse: run.memory.in_use_bytes ?? 0,
      limit: run.memory.limit_bytes
    };
    const last = this._samples[this._samples.length - 1];
    if (last && sample.time < last.time) {
      sample.time = last.time;
    }
    if (
      last &&
      last.time === sample.time &&
      last.inUse === sample.inUse &&
      last.limit === sample.limit
    ) {
      return;
    }
    this._samples = [...this._samples, sample].slice(-RunTracker.MAX_SAMPLES);
  }

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    if (message.type === 'events.dropped') {
      void this.refresh();
      return;
    }
    const run = runOfEvent(message);
    if (run) {
      if (run.id === this.id) {
        this.apply(run);
      }
      return;
    }
    if (message.type === 'run.deleted') {
      if (runIdOfEvent(message) === this.id) {
        this._deleted = true;
        this._stopPolling();
        this.emitChanged();
      }
      return;
    }
    // A child's status shows at once; the run's next event brings the rest.
    const job = jobOfEvent(message);
    if (job && this._run && runIdOfJob(job) === this.id) {
      const index = this._run.jobs.findIndex(item => item.id === job.id);
      if (index >= 0 && this._run.jobs[index].status !== job.status) {
        const jobs = this._run.jobs.slice();
        jobs[index] = { ...jobs[index], status: job.status };
        this._run = { ...this._run, jobs };
        this.emitChanged();
      }
    }
  }

  private _onConnection(_: IEventsConnection, state: ConnectionState): void {
    const previous = this._connection;
    this._connection = state;
    if (state === 'open' && previous !== 'open') {
      void this.refresh();
    }
  }

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
  private readonly _now: () => number;
  private _connection: ConnectionState;
  private _run: IRunRecord | null = null;
  private _error: IProblem | null = null;
  private _deleted = false;
  private _busy: RunAction | null = null;
  private _actionError: IProblem | null = null;
  private _samples: IMemorySample[] = [];
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _ended = new Signal<this, IRunRecord>(this);
}

/** The namespace for `RunTracker` statics. */
export namespace RunTracker {
  /** Samples of memory kept (the oldest are dropped). */
  export const MAX_SAMPLES = 2000;

  /** Options to follow a run. */
  export interface IOptions extends JobTracker.IContext {
    /** The run's record, or its id. */
    run: IRunRecord | string;
    /** The clock (tests). */
    now?: () => number;
  }
}
