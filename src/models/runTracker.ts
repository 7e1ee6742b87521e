import { IProblem, problemOf } from '../api/errors';
import type { EventsStreamMessage, IRunRecord } from '../api/models';
import {
  isRunFinal,
  normalizeRun,
  runIdOfEvent,
  runIdOfJob,
  runOfEvent
} from '../runs/runRecord';
import type { IJwstLabClient } from '../tokens';
import { jobOfEvent } from './jobRecord';
import { JobTracker } from './jobTracker';
import { RecordTracker } from './recordTracker';

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
export class RunTracker extends RecordTracker<IRunRecord> {
  /** Follow a run from its record or its id (then it is asked for at once). */
  constructor(options: RunTracker.IOptions) {
    super(
      options,
      typeof options.run === 'string' ? options.run : options.run.id
    );
    this._now = options.now ?? (() => Date.now());
    this.start(options.run);
  }

  /** The run's last known record, or null before the first answer. */
  get run(): IRunRecord | null {
    return this.record;
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

  /** Cancel the run's jobs that have not ended. */
  cancel(): Promise<void> {
    return this._act('cancel', () => this.client.cancelRun(this.id));
  }

  /** Run again what is not complete. */
  resume(): Promise<void> {
    return this._act('resume', () => this.client.resumeRun(this.id));
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

  protected requestRecord(client: IJwstLabClient): Promise<IRunRecord> {
    return client.getRun(this.id);
  }

  protected normalize(value: unknown): IRunRecord | null {
    return normalizeRun(value);
  }

  protected isFinalRecord(record: IRunRecord): boolean {
    return isRunFinal(record.status);
  }

  /** Keep a sample of the memory in use. */
  protected recordApplied(run: IRunRecord): void {
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

  protected handleEvent(message: EventsStreamMessage): void {
    const run = runOfEvent(message);
    if (run) {
      if (run.id === this.id) {
        this.apply(run);
      }
      return;
    }
    if (message.type === 'run.deleted') {
      if (runIdOfEvent(message) === this.id) {
        this.markDeleted();
      }
      return;
    }
    // A child's status shows at once; the run's next event brings the rest.
    const job = jobOfEvent(message);
    if (job && this.record && runIdOfJob(job) === this.id) {
      const index = this.record.jobs.findIndex(item => item.id === job.id);
      if (index >= 0 && this.record.jobs[index].status !== job.status) {
        const jobs = this.record.jobs.slice();
        jobs[index] = { ...jobs[index], status: job.status };
        this.record = { ...this.record, jobs };
        this.emitChanged();
      }
    }
  }

  private readonly _now: () => number;
  private _busy: RunAction | null = null;
  private _actionError: IProblem | null = null;
  private _samples: IMemorySample[] = [];
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
