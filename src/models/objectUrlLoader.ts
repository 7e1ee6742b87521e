import { ILoadable, Loader } from './loadable';

/**
 * A PNG fetched through the client and held as an object URL: the latest
 * request wins, and a URL is freed when a newer one replaces it and when the
 * owner is disposed.
 */
export class ObjectUrlLoader {
  /** Create a loader; `onChange` is the owning model's change announcement. */
  constructor(onChange: () => void) {
    this._loader = new Loader<string>(onChange);
  }

  /** The request's state; `value` is the object URL of the PNG. */
  get state(): ILoadable<string> {
    return this._loader.state;
  }

  /**
   * Ask for a new image; unless `keepValue` is false, the shown one stays
   * until it arrives.
   */
  async load(
    request: () => Promise<Blob>,
    options: { keepValue?: boolean } = {}
  ): Promise<void> {
    const made: { url: string | null } = { url: null };
    await this._loader.load(async () => {
      made.url = URL.createObjectURL(await request());
      return made.url;
    }, options);
    const created = made.url;
    if (created === null) {
      return;
    }
    if (this._loader.state.value === created) {
      this._revoke();
      this._url = created;
    } else {
      URL.revokeObjectURL(created); // superseded by a newer request, or disposed
    }
  }

  /** Forget the state and free the URL held. */
  dispose(): void {
    this._loader.reset();
    this._revoke();
  }

  private _revoke(): void {
    if (this._url !== null) {
      URL.revokeObjectURL(this._url);
      this._url = null;
    }
  }

  private readonly _loader: Loader<string>;
  private _url: string | null = null;
}
