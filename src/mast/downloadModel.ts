import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type {
  IDownloadProgress,
  IDownloadRequest,
  IJobRecord,
  IRunRecord,
  JobStatus,
  MastSource
} from '../api/models';
import { isFinal, transferProgress } from '../models/jobRecord';
import { JobTracker } from '../models/jobTracker';
import { Model } from '../models/model';
import type { IJwstLabClient } from '../tokens';

/** Where a download is: not started, being created, or its job's state. */
export type DownloadStatus = 'idle' | 'starting' | JobStatus;

/** The folder shared by every path (POSIX, relative), or '' when none. */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) {
    return '';
  }
  const split = paths.map(path => path.split('/').slice(0, -1));
  const first = split[0];
  let length = first.length;
  for (const parts of split.slice(1)) {
    let index = 0;
    while (
      index < length &&
      index < parts.length &&
      parts[index] === first[index]
    ) {
      index++;
    }
    length = index;
  }
  return first.slice(0, length).join('/');
}

/**
 * The inputs of the run that reduces a download: the folders holding the
 * exposures it wrote (relative to the root, sorted), else `folder` (the
 * root itself when empty).
 */
export function reduceInputs(
  outputs: readonly string[],
  folder: string
): string[] {
  const folders = new Set<string>();
  for (const path of outputs) {
    if (
      !path.startsWith('/') &&
      /_(uncal|rate|rateints|cal|calints)\.fits$|_asn\.json$/i.test(path)
    ) {
      folders.add(path.split('/').slice(0, -1).join('/') || '.');
    }
  }
  return folders.size > 0 ? Array.from(folders).sort() : [folder || '.'];
}

/** Where the download folder the user chose is kept (one choice for every download). */
export const DEST_STORAGE_KEY = 'jwst-lab:download-dest';

/** The remembered download folder ('' = the server's), or null when the user never chose. */
export function storedDest(): string | null {
  try {
    return globalThis.localStorage?.getItem(DEST_STORAGE_KEY) ?? null;
  } catch {
    return null; // storage refused (private mode, sandboxed frame)
  }
}

function storeDest(value: string): void {
  try {
    globalThis.localStorage?.setItem(DEST_STORAGE_KEY, value);
  } catch {
    // Not remembered: the choice still holds until the page is reloaded.
  }
}

/**
 * Where the download folder field's value comes from: the user's own choice
 * (typed now or remembered), a suggestion (the file browser's folder, the
 * settings'), or empty: the server's download folder.
 */
export type DestOrigin = 'yours' | 'suggested' | 'server';

/** Where the reduction that follows a "Download and reduce" is. */
export type ReduceStatus =
  'none' | 'waiting' | 'creating' | 'created' | 'failed';

/**
 * The MAST panel's download: the destination folder field, and the download
 * job it started, followed by a `JobTracker` until it ends. A "Download and
 * reduce" then creates a run to Level 3 on the folder the files arrived in.
 */
export class MastDownloadModel extends Model {
  /** Create the model; nothing is downloading. */
  constructor(options: MastDownloadModel.IOptions) {
    super();
    this._client = options.client;
    this._jobs = options;
    const remembered = storedDest();
    if (remembered !== null) {
      this._dest = remembered;
      this._destEdited = true;
    }
  }

  /** The destination folder field, as typed. */
  get dest(): string {
    return this._dest;
  }

  /** Set the destination folder as the user typed it; it is kept for the next downloads. */
  setDest(value: string): void {
    this._dest = value;
    this._destEdited = true;
    storeDest(value);
    this.emitChanged();
  }

  /** Where the folder field's value comes from. */
  get destOrigin(): DestOrigin {
    if (this._dest.trim() === '') {
      return 'server';
    }
    return this._destEdited ? 'yours' : 'suggested';
  }

  /** Offer a default destination (settings or file browser); the user's own choice wins. */
  setDefaultDest(value: string): void {
    if (this._destEdited || value === this._dest) {
      return;
    }
    this._dest = value;
    this.emitChanged();
  }

  /** Where the download is. */
  get status(): DownloadStatus {
    return this._tracker?.job?.status ?? this._status;
  }

  /** Whether a download is being created or its job has not ended. */
  get isBusy(): boolean {
    const status = this.status;
    return status === 'starting' || status === 'queued' || status === 'running';
  }

  /** The download's job, or null before the server created it. */
  get job(): IJobRecord | null {
    return this._tracker?.job ?? null;
  }

  /** Bytes and files transferred so far, or null while unknown. */
  get progress(): IDownloadProgress | null {
    return this._progress;
  }

  /** Why the download could not start, failed, or could not be cancelled; or null. */
  get error(): IProblem | null {
    if (this._error) {
      return this._error;
    }
    const message = this.job?.error;
    return message ? { message, status: 0, reason: null, field: null } : null;
  }

  /** The equivalent astroquery code of the download, when the server sent it. */
  get python(): string | null {
    return this._python;
  }

  /** Where the downloaded files are: the folder their paths share, else the destination. */
  get folder(): string {
    const job = this.job;
    const outputs = (job?.outputs ?? []).filter(path => !path.startsWith('/'));
    const folder = typeof job?.output_dir === 'string' ? job.output_dir : '';
    return (
      commonFolder(outputs) ||
      (folder && folder !== '.' && !folder.startsWith('/') ? folder : '') ||
      this._asked
    );
  }

  /** The observations ticked in the results (MAST `obsid`s), for "Download and reduce". */
  get observations(): ReadonlySet<string> {
    return this._observations;
  }

  /** Tick or untick an observation of the results. */
  toggleObservation(obsid: string, selected?: boolean): void {
    const next = new Set(this._observations);
    const select = selected ?? !next.has(obsid);
    if (select) {
      next.add(obsid);
    } else {
      next.delete(obsid);
    }
    this._observations = next;
    this.emitChanged();
  }

  /** Untick every observation. */
  clearObservations(): void {
    if (this._observations.size === 0) {
      return;
    }
    this._observations = new Set();
    this.emitChanged();
  }

  /** Whether a run follows the download, and where it is. */
  get reduceStatus(): ReduceStatus {
    return this._reduceStatus;
  }

  /** The run created after the download, or null. */
  get run(): IRunRecord | null {
    return this._run;
  }

  /** Why the run could not be created, or null. */
  get reduceError(): IProblem | null {
    return this._reduceError;
  }

  /** Emitted with the run created after a "Download and reduce". */
  get runCreated(): ISignal<this, IRunRecord> {
    return this._runCreated;
  }

  /**
   * Emitted with the run's inputs when the server refused to create it
   * (e.g. `insufficient_memory`): the user decides in the plan dialog.
   */
  get reduceRefused(): ISignal<this, { inputs: string[]; problem: IProblem }> {
    return this._reduceRefused;
  }

  /**
   * Download `products` (dataURIs) into the destination folder; with
   * `reduce`, create a run to Level 3 on the folder they arrived in once the
   * download succeeded.
   */
  async start(
    products: readonly string[],
    source?: MastSource,
    options: { reduce?: boolean } = {}
  ): Promise<void> {
    if (products.length === 0) {
      return;
    }
    await this._create({ products: [...products] }, source, options.reduce);
  }

  /**
   * Download the uncalibrated exposures (MAST subgroup `UNCAL`) of the ticked
   * observations, then reduce what arrived to Level 3 as one run.
   */
  async downloadAndReduce(source?: MastSource): Promise<void> {
    const obsids = Array.from(this._observations);
    if (obsids.length === 0) {
      return;
    }
    await this._create(
      { obsids, product_filters: { subgroup: ['UNCAL'] } },
      source,
      true
    );
  }

  private async _create(
    what: Pick<IDownloadRequest, 'products' | 'obsids' | 'product_filters'>,
    source: MastSource | undefined,
    reduce = false
  ): Promise<void> {
    if (this.isBusy) {
      return;
    }
    this._reduceStatus = reduce ? 'waiting' : 'none';
    this._run = null;
    this._reduceError = null;
    const dest = this._dest.trim().replace(/^\/+/, '').replace(/\/+$/, '');
    this._follow(null);
    this._status = 'starting';
    this._asked = dest;
    this._error = null;
    this._progress = null;
    this._python = null;
    this.emitChanged();
    try {
      const job = await this._client.createDownload({
        ...what,
        ...(dest ? { dest } : {}),
        ...(source ? { source } : {})
      });
      // The code of the request as the server answered it (job records do not repeat it).
      this._python = job.python || null;
      this._follow(new JobTracker({ ...this._jobs, job }));
    } catch (error) {
      this._status = 'failed';
      this._error = problemOf(error);
      this._reduceStatus = 'none';
    }
    this.emitChanged();
  }

  /** Cancel the running download (`POST /jobs/{id}/cancel`). */
  async cancel(): Promise<void> {
    const tracker = this._tracker;
    if (!tracker?.job || tracker.isFinal) {
      return;
    }
    try {
      tracker.apply(await this._client.cancelJob(tracker.id));
    } catch (error) {
      this._error = problemOf(error);
      this.emitChanged();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._follow(null);
    super.dispose();
  }

  private _follow(tracker: JobTracker | null): void {
    this._tracker?.dispose();
    this._tracker = tracker;
    tracker?.changed.connect(this._onJob, this);
    if (tracker) {
      this._onJob();
    }
  }

  private _onJob(): void {
    const job = this._tracker?.job;
    this._progress = transferProgress(job?.progress) ?? this._progress;
    if (job?.error) {
      // The job's own error replaces an older one (e.g. a failed cancel).
      this._error = null;
    }
    if (this._reduceStatus === 'waiting' && job && isFinal(job.status)) {
      if (job.status === 'succeeded') {
        void this._reduce();
      } else {
        this._reduceStatus = 'none';
      }
    }
    this.emitChanged();
  }

  /**
   * Create the run on what arrived: the folders of the exposures the download
   * wrote (one per observation), else the folder it wrote to.
   */
  private async _reduce(): Promise<void> {
    this._reduceStatus = 'creating';
    this.emitChanged();
    const inputs = reduceInputs(this.job?.outputs ?? [], this.folder);
    try {
      const run = await this._client.createRun({ inputs, target_level: 3 });
      this._run = run;
      this._reduceStatus = 'created';
      this.emitChanged();
      this._runCreated.emit(run);
    } catch (error) {
      const problem = problemOf(error);
      this._reduceStatus = 'failed';
      this._reduceError = problem;
      this.emitChanged();
      this._reduceRefused.emit({ inputs, problem });
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _jobs: JobTracker.IContext;
  private _dest = '';
  private _destEdited = false;
  private _asked = '';
  private _status: DownloadStatus = 'idle';
  private _tracker: JobTracker | null = null;
  private _progress: IDownloadProgress | null = null;
  private _error: IProblem | null = null;
  private _python: string | null = null;
  private _reduceStatus: ReduceStatus = 'none';
  private _observations: Set<string> = new Set();
  private _run: IRunRecord | null = null;
  private _reduceError: IProblem | null = null;
  private _runCreated = new Signal<this, IRunRecord>(this);
  private _reduceRefused = new Signal<
    this,
    { inputs: string[]; problem: IProblem }
  >(this);
}

/** The namespace for `MastDownloadModel` statics. */
export namespace MastDownloadModel {
  /** Options to create the model: where the download job is followed. */
  export type IOptions = JobTracker.IContext;
}
