import type { ICrdsStatus } from '../api/models';
import { LoadModel } from '../models/loadable';
import { Model } from '../models/model';
import type { IJwstLabClient } from '../tokens';
import { CrdsContextsModel } from './contextsModel';

/**
 * The CRDS panel of a server with the CRDS browser: the live status of CRDS
 * (`GET /crds/status`) and, once it is usable, the context history. Nothing
 * is asked before `start()` (the panel may never be opened).
 */
export class CrdsBrowserModel extends Model {
  /** Create the model; it asks nothing before `start()`. */
  constructor(options: { client: IJwstLabClient }) {
    super();
    this._client = options.client;
    this.status = new LoadModel(() => options.client.getCrdsStatus(), {
      lazy: true
    });
    this.status.changed.connect(this._onStatus, this);
  }

  /** Ask for the status the first time; later calls do nothing. */
  start(): void {
    if (this.status.state.status === 'idle') {
      void this.status.reload();
    }
  }

  /** CRDS's status. */
  readonly status: LoadModel<ICrdsStatus>;

  /** The context history, once CRDS is usable; null before. */
  get contexts(): CrdsContextsModel | null {
    return this._contexts;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.status.dispose();
    this._contexts?.dispose();
    super.dispose();
  }

  private _onStatus(): void {
    const state = this.status.state;
    if (state.status === 'ready' && state.value?.usable) {
      // Asked again each time the status answers usable (e.g. after "Check again").
      if (this._contexts) {
        void this._contexts.reload();
      } else {
        this._contexts = new CrdsContextsModel({ client: this._client });
      }
    }
    this.emitChanged();
  }

  private readonly _client: IJwstLabClient;
  private _contexts: CrdsContextsModel | null = null;
}
