import type { IServerInfo } from '../api/models';
import type { Feature, IJwstLabClient } from '../tokens';
import { ILoadable, Loader } from './loadable';
import { Model } from './model';

/**
 * What a panel knows about the server (`GET /info`): the client's answer when
 * it has one, else a request sent on creation; later answers replace it, and
 * `retry()` asks again after a failure.
 */
export class ServerInfoModel extends Model {
  /** Create the model; asks the server unless the client already knows it. */
  constructor(client: IJwstLabClient) {
    super();
    this._client = client;
    client.infoChanged.connect(this._onInfo, this);
    if (client.info) {
      this._loader.set(client.info);
    } else {
      void this._loader.load(() => client.getInfo());
    }
  }

  /** The request's state; `value` is the server information. */
  get state(): ILoadable<IServerInfo> {
    return this._loader.state;
  }

  /** Whether the server lists `feature` (false until it answered). */
  hasFeature(feature: Feature): boolean {
    return this.state.value?.features.includes(feature) ?? false;
  }

  /** Ask the server again. */
  retry(): void {
    void this._loader.load(() => this._client.getInfo(), { keepValue: false });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._client.infoChanged.disconnect(this._onInfo, this);
    super.dispose();
  }

  private _onInfo(_: IJwstLabClient, info: IServerInfo): void {
    this._loader.set(info);
  }

  private readonly _client: IJwstLabClient;
  private readonly _loader = new Loader<IServerInfo>(() => this.emitChanged());
}
