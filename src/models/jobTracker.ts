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
import { RecordTracker } from './recordTracker';

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
export class JobTracker extends RecordTracker<IJobRecord> {
  /**
   * Follow a job: from its record (e.g. the answer that created it), or from
   * its id alone (then the record is asked for at once).
   */
  constructor(options: JobTracker.IOptions) {
    super(
      options,
      typeof options.job === 'string' ? options.job : options.job.id
    );
    this.start(options.job);
  }

  /** The job's last known record, or null before the first answer. */
  get job(): IJobRecord | null {
    return this.record;
  }

  /** The job's progress, or null before the first answer. */
  get progress(): IJobProgress | null {
    return this.record?.progress ?? null;
  }

  protected requestRecord(client: IJwstLabClient): Promise<IJobRecord> {
    return client.getJob(this.id);
  }

  protected normalize(value: unknown): IJobRecord | null {
    return normalizeJob(value);
  }

  /** Succeeded, failed, cancelled or interrupted. */
  protected isFinalRecord(record: IJobRecord): boolean {
    return isFinal(record.status);
  }

  protected handleEvent(message: EventsStreamMessage): void {
    const job = jobOfEvent(message);
    if (job) {
      if (job.id === this.id) {
        this.noteEvent();
        this.apply(job);
      }
      return;
    }
    if (jobIdOfEvent(message) !== this.id) {
      return;
    }
    if (message.type === 'job.progress' && this.record) {
      const progress = (message as { progress?: unknown }).progress;
      if (typeof progress !== 'object' || progress === null) {
        return;
      }
      this.noteEvent();
      this.record = {
        ...this.record,
        // Progress means the job runs, even before its `job.updated` arrives.
        status:
          this.record.status === 'queued' ? 'running' : this.record.status,
        progress: normalizeProgress({ ...this.record.progress, ...progress })
      };
      this.emitChanged();
    } else if (message.type === 'job.deleted') {
      this.markDeleted();
    }
  }
}

/** The namespace for `JobTracker` statics. */
export namespace JobTracker {
  /** How often a running job is asked for while live events are not flowing, ms. */
  export const POLL_INTERVAL = RecordTracker.POLL_INTERVAL;

  /** Where trackers ask: what a model that follows jobs is given. */
  export type IContext = RecordTracker.IContext;

  /** Options to follow a job. */
  export interface IOptions extends IContext {
    /** The job's record, or its id. */
    job: IJobRecord | string;
  }
}
