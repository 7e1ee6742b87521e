import type { IMastTokenState } from '../api/models';
import { ILoadable, Loader } from '../models/loadable';
import { Model } from '../models/model';
import type { IJwstLabClient } from '../tokens';

/**
 * Whether the server holds a MAST token, and the requests that set or forget
 * it. The token itself goes straight from the caller to the client: this model
 * never holds it, so it can never reach a saved state.
 */
export class MastTokenModel extends Model {
  /** Create the model; nothing is asked before `refresh()`. */
  constructor(options: { client: IJwstLabClient }) {
    super();
    this._client = options.client;
  }

  /** The last answer about the token (kept while a request is under way). */
  get state(): ILoadable<IMastTokenState> {
    return this._loader.state;
  }

  /** Whether the server holds a token (false while unknown). */
  get isSet(): boolean {
    return this._loader.state.value?.set ?? false;
  }

  /** Ask the server whether it holds a token. */
  async refresh(): Promise<void> {
    await this._loader.load(() => this._client.getMastToken());
  }

  /** Send a token to the server; resolves whether the server took it. */
  async set(token: string): Promise<boolean> {
    const problem = await this._loader.load(() =>
      this._client.setMastToken(token)
    );
    return problem === null;
  }

  /** Make the server forget its token. */
  async forget(): Promise<void> {
    // `DELETE /mast/token` answers no body: the state is known (where a
    // token would be kept does not change).
    const storage = this._loader.state.value?.storage ?? 'memory';
    await this._loader.load(async () => {
      await this._client.deleteMastToken();
      return { set: false, storage, expires: null };
    });
  }

  private readonly _client: IJwstLabClient;
  private readonly _loader = new Loader<IMastTokenState>(() =>
    this.emitChanged()
  );
}
