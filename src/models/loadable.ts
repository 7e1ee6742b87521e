import { IProblem, problemOf } from '../api/errors';
import { Model } from './model';

/** Where a request is: not asked yet, waiting, answered, or failed. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * What a view knows of something loaded from the server (the one load-state
 * type of the front end): where its request is, the last answer (kept while a
 * new request is under way, so a view can go on showing it) and why the last
 * request failed.
 */
export interface ILoadable<T> {
  readonly status: LoadStatus;
  /** The last answer, or null before the first one. */
  readonly value: T | null;
  /** Why the last request failed; null unless `status` is `error`. */
  readonly error: IProblem | null;
}

/** A load state nobody asked for yet. */
export function idle<T>(): ILoadable<T> {
  return { status: 'idle', value: null, error: null };
}

/**
 * The requests of one thing a model loads: the latest request wins (answers
 * to older ones are dropped), the last answer stays while a new one loads,
 * and `onChange` is called whenever the state changes.
 */
export class Loader<T> {
  /** Create a loader; `onChange` is the owning model's change announcement. */
  constructor(private readonly _onChange: () => void) {}

  /** The current state. */
  get state(): ILoadable<T> {
    return this._state;
  }

  /**
   * Ask `request`, unless a newer request supersedes it. Resolves with the
   * answer's problem (null when it succeeded), or `undefined` when superseded.
   */
  async load(
    request: () => Promise<T>,
    options: { keepValue?: boolean } = {}
  ): Promise<IProblem | null | undefined> {
    const generation = ++this._generation;
    this._state = {
      status: 'loading',
      value: options.keepValue === false ? null : this._state.value,
      error: null
    };
    this._onChange();
    try {
      const value = await request();
      if (generation !== this._generation) {
        return undefined;
      }
      this._state = { status: 'ready', value, error: null };
      this._onChange();
      return null;
    } catch (reason) {
      if (generation !== this._generation) {
        return undefined;
      }
      const error = problemOf(reason);
      this._state = { status: 'error', value: this._state.value, error };
      this._onChange();
      return error;
    }
  }

  /** Set the answer directly (e.g. one that came with another request). */
  set(value: T): void {
    this._generation++;
    this._state = { status: 'ready', value, error: null };
    this._onChange();
  }

  /** Forget everything; an answer still under way is dropped. */
  reset(): void {
    this._generation++;
    this._state = idle<T>();
    this._onChange();
  }

  private _state: ILoadable<T> = idle<T>();
  private _generation = 0;
}

/**
 * The base of a model whose answer comes through one loader: `state` is that
 * loader's, and disposing the model drops an answer still under way.
 */
export abstract class LoaderModel<T> extends Model {
  /** The request's state. */
  get state(): ILoadable<T> {
    return this._loader.state;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._loader.reset();
    super.dispose();
  }

  /** The requests of the model's answer. */
  protected readonly _loader = new Loader<T>(() => this.emitChanged());
}

/**
 * A model holding one thing loaded from the server, asked for on creation
 * (unless `lazy`: then on the first `reload()`); `reload()` asks again (a
 * view's Retry button).
 */
export class LoadModel<T> extends Model {
  /** Create the model and, unless `lazy`, send the first request. */
  constructor(request: () => Promise<T>, options: { lazy?: boolean } = {}) {
    super();
    this._request = request;
    if (!options.lazy) {
      void this.reload();
    }
  }

  /** The request's state. */
  get state(): ILoadable<T> {
    return this._loader.state;
  }

  /** Ask again; the answer replaces the shown one. */
  async reload(): Promise<void> {
    await this._loader.load(this._request, { keepValue: false });
  }

  private readonly _request: () => Promise<T>;
  private readonly _loader = new Loader<T>(() => this.emitChanged());
}
