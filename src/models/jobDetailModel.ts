import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type { IJobRecord } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import { isFinal } from './jobRecord';
import { JobTracker } from './jobTracker';
import { LogModel } from './logModel';
import { Model } from './model';
import { PreviewModel } from './previewModel';

/** An action of a job's tab that talks to the server. */
export type JobAction = 'cancel' | 'rerun' | 'delete';

/** What the tab says after an action went through. */
export type JobNotice =
  | { kind: 'cancelling' }
  | { kind: 'rerun'; id: string }
  | { kind: 'copied'; what: 'strun' | 'python' };

/**
 * One job in full, for its tab: the record (followed by a `JobTracker`), its
 * log, the quick look of an output, and the actions (cancel, rerun, delete)
 * with what they answered.
 */
export class JobDetailModel extends Model {
  /** Create the model; the job and its log are asked for at once. */
  constructor(options: JobDetailModel.IOptions) {
    super();
    this._client = options.client;
    this.jobId = options.jobId;
    this.tracker = new JobTracker({ ...options, job: options.jobId });
    this.log = new LogModel({
      client: options.client,
      jobId: options.jobId,
      events: options.events,
      pollInterval: options.logPollInterval
    });
    this.tracker.changed.connect(this.emitChanged, this);
  }

  /** The job's id. */
  readonly jobId: string;

  /** Follows the job's record. */
  readonly tracker: JobTracker;

  /** The job's log. */
  readonly log: LogModel;

  /** The job's record, or null until it arrived. */
  get job(): IJobRecord | null {
    return this.tracker.job;
  }

  /** Why the job could not be loaded (null once it arrived). */
  get loadError(): IProblem | null {
    return this.tracker.job ? null : this.tracker.error;
  }

  /** Whether the job was deleted, here or elsewhere. */
  get deleted(): boolean {
    return this._deleted || this.tracker.deleted;
  }

  /** Emitted when the user deleted the job here (`remove()`). */
  get removed(): ISignal<this, void> {
    return this._removed;
  }

  /** The action under way, or null. */
  get busy(): JobAction | null {
    return this._busy;
  }

  /** Why the last action failed, or null. */
  get actionError(): IProblem | null {
    return this._actionError;
  }

  /**
   * What the last action did, or null. "Cancelling…" lasts only while the
   * job has not ended: once its record is final, the status badge says it.
   */
  get notice(): JobNotice | null {
    const job = this.tracker.job;
    if (this._notice?.kind === 'cancelling' && job && isFinal(job.status)) {
      return null;
    }
    return this._notice;
  }

  /** The quick look shown, or null. */
  get preview(): PreviewModel | null {
    return this._preview;
  }

  /** Show the quick look of an output, or hide it when it is the one shown. */
  togglePreview(path: string): void {
    const shown = this._preview?.path === path;
    this._preview?.dispose();
    this._preview = shown
      ? null
      : new PreviewModel({ client: this._client, path });
    this.emitChanged();
  }

  /** Cancel the job (`POST /jobs/{id}/cancel`). */
  async cancel(): Promise<void> {
    await this._act('cancel', async () => {
      this.tracker.apply(await this._client.cancelJob(this.jobId));
      this._notice = { kind: 'cancelling' };
    });
  }

  /** Run the job again (`POST /jobs/{id}/rerun`); resolves with the new job, or null. */
  async rerun(): Promise<IJobRecord | null> {
    let created: IJobRecord | null = null;
    await this._act('rerun', async () => {
      created = await this._client.rerunJob(this.jobId);
      this._notice = { kind: 'rerun', id: created.id };
    });
    return created;
  }

  /**
   * Delete the job's record and log (`DELETE /jobs/{id}`) once `confirm`
   * resolves true; resolves whether it was deleted.
   */
  async remove(confirm: () => Promise<boolean>): Promise<boolean> {
    let deleted = false;
    await this._act('delete', async () => {
      if (!(await confirm())) {
        return;
      }
      await this._client.deleteJob(this.jobId);
      deleted = true;
    });
    if (deleted) {
      this._deleted = true;
      this.emitChanged();
      this._removed.emit();
    }
    return deleted;
  }

  /** Say that a command of the job was copied. */
  copied(what: 'strun' | 'python'): void {
    this._notice = { kind: 'copied', what };
    this.emitChanged();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._preview?.dispose();
    this.tracker.dispose();
    this.log.dispose();
    super.dispose();
  }

  private async _act(
    name: JobAction,
    action: () => Promise<void>
  ): Promise<void> {
    this._busy = name;
    this._actionError = null;
    this._notice = null;
    this.emitChanged();
    try {
      await action();
    } catch (error) {
      this._actionError = problemOf(error);
    } finally {
      this._busy = null;
      this.emitChanged();
    }
  }

  private readonly _client: IJwstLabClient;
  private _deleted = false;
  private _busy: JobAction | null = null;
  private _actionError: IProblem | null = null;
  private _notice: JobNotice | null = null;
  private _preview: PreviewModel | null = null;
  private _removed = new Signal<this, void>(this);
}

/** The namespace for `JobDetailModel` statics. */
export namespace JobDetailModel {
  /** Options to create a job's model (with where the job is followed). */
  export interface IOptions extends JobTracker.IContext {
    jobId: string;
    /** Polling interval of the log while the job runs, ms (LogModel's default). */
    logPollInterval?: number;
  }
}
