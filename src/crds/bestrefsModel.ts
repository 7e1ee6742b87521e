import { IProblem, problemOf } from '../api/errors';
import type {
  ICrdsBestrefs,
  ICrdsContextList,
  ICrdsStatus
} from '../api/models';
import type { IJobRecord } from '../api/models';
import { JobTracker } from '../models/jobTracker';
import { ILoadable, Loader } from '../models/loadable';
import { Model } from '../models/model';
import { Features, IJwstLabClient } from '../tokens';

/**
 * The best references of one file (`POST /crds/bestrefs`) at the effective or
 * a chosen context, and the "Fetch references" action: a `crds_fetch` job,
 * followed by a `JobTracker`; once it succeeded the table is asked for again
 * (the references are cached now).
 */
export class CrdsBestrefsModel extends Model {
  /** Create the model and ask for the best references (and, when the server can fetch, CRDS's status). */
  constructor(options: CrdsBestrefsModel.IOptions) {
    super();
    this._client = options.client;
    this._jobs = options;
    this.path = options.path;
    this.canFetch = options.client.hasFeature(Features.crdsFetch);
    void this.reload();
    // A server that cannot fetch is not asked for its status.
    if (this.canFetch) {
      void this._status.load(() => options.client.getCrdsStatus());
    }
  }

  /** The file, relative to the server root. */
  readonly path: string;

  /** Whether the server can fetch references (`crds_fetch` feature). */
  readonly canFetch: boolean;

  /** The context asked for; empty for the effective one. */
  get context(): string {
    return this._context;
  }

  /** The context field, as typed. */
  get contextDraft(): string {
    return this._contextDraft;
  }

  setContextDraft(value: string): void {
    this._contextDraft = value;
    this.emitChanged();
  }

  /** Ask at the context typed (empty for the effective one). */
  applyContext(): void {
    this.useContext(this._contextDraft);
  }

  /**
   * Ask at `context` (empty for the effective one) and show it in the field.
   * Asking again at the context that just failed does nothing: the user
   * picks another one.
   */
  useContext(context: string): void {
    const value = context.trim();
    this._contextDraft = value;
    if (value === this._context && this.state.status !== 'idle') {
      this.emitChanged();
      return;
    }
    this._context = value;
    void this.reload();
  }

  /**
   * Why the chosen context cannot be used (the server refused it: a 4xx
   * naming the `context` field, or a context missing from the cache), or
   * null. Retrying would fail the same way: the view offers other contexts.
   */
  get contextError(): IProblem | null {
    const error = this.state.status === 'error' ? this.state.error : null;
    if (!error || !this._context) {
      return null;
    }
    const refused = error.status >= 400 && error.status < 500;
    return refused &&
      (error.field === 'context' ||
        (error.status === 404 && error.field === null))
      ? error
      : null;
  }

  /** The contexts a user can pick (asked for on first need, see `loadContexts`). */
  get contexts(): ILoadable<ICrdsContextList> {
    return this._contexts.state;
  }

  /** Ask for the contexts once (the chooser's suggestions and the error's choices). */
  loadContexts(): void {
    if (this._contexts.state.status === 'idle') {
      void this._contexts.load(() => this._client.listCrdsContexts());
    }
  }

  /** The best references' request. */
  get state(): ILoadable<ICrdsBestrefs> {
    return this._loader.state;
  }

  /** Ask for the best references again. */
  async reload(options: { keepValue?: boolean } = {}): Promise<void> {
    const request = this._request();
    const problem = await this._loader.load(
      () => this._client.getCrdsBestrefs(request),
      { keepValue: options.keepValue ?? false }
    );
    if (problem && this.contextError) {
      this.loadContexts();
    }
  }

  /** Whether reference types that do not apply (N/A) are hidden (they are at first). */
  get hideNa(): boolean {
    return this._hideNa;
  }

  setHideNa(hide: boolean): void {
    this._hideNa = hide;
    this.emitChanged();
  }

  /** CRDS's status (asked only when the server can fetch). */
  get crdsStatus(): ILoadable<ICrdsStatus> {
    return this._status.state;
  }

  /** Whether a fetch job is being created. */
  get sending(): boolean {
    return this._sending;
  }

  /** Why the last fetch could not start, or null. */
  get fetchError(): IProblem | null {
    return this._fetchError;
  }

  /** The fetch job started here, followed until it ends; null before any. */
  get fetchJob(): JobTracker | null {
    return this._tracker;
  }

  /**
   * Start a `crds_fetch` job syncing the file's references into the CRDS
   * cache; resolves with the job, or null when the server refused.
   */
  async fetch(): Promise<IJobRecord | null> {
    this._sending = true;
    this._fetchError = null;
    this.emitChanged();
    let job: IJobRecord | null = null;
    try {
      job = await this._client.fetchCrdsReferences(this._request());
      this._follow(new JobTracker({ ...this._jobs, job }));
    } catch (error) {
      this._fetchError = problemOf(error);
    }
    this._sending = false;
    this.emitChanged();
    return job;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._follow(null);
    super.dispose();
  }

  private _request(): { path: string; context?: string } {
    return this._context
      ? { path: this.path, context: this._context }
      : { path: this.path };
  }

  private _follow(tracker: JobTracker | null): void {
    this._tracker?.dispose();
    this._tracker = tracker;
    tracker?.changed.connect(this._onJob, this);
    tracker?.ended.connect(this._onEnded, this);
  }

  private _onJob(): void {
    this.emitChanged();
  }

  private _onEnded(_: JobTracker, job: IJobRecord): void {
    if (job.status === 'succeeded') {
      // The references are in the cache now: the table says so.
      void this.reload({ keepValue: true });
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _jobs: JobTracker.IContext;
  private readonly _loader = new Loader<ICrdsBestrefs>(() =>
    this.emitChanged()
  );
  private readonly _status = new Loader<ICrdsStatus>(() => this.emitChanged());
  private readonly _contexts = new Loader<ICrdsContextList>(() =>
    this.emitChanged()
  );
  private _context = '';
  private _contextDraft = '';
  private _hideNa = true;
  private _sending = false;
  private _fetchError: IProblem | null = null;
  private _tracker: JobTracker | null = null;
}

/** The namespace for `CrdsBestrefsModel` statics. */
export namespace CrdsBestrefsModel {
  /** Options to create the model (with where a fetch job is followed). */
  export interface IOptions extends JobTracker.IContext {
    /** A FITS or ASDF file, relative to the server root. */
    path: string;
  }
}
