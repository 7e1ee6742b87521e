import type { IPreviewOptions } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import type { ILoadable } from './loadable';
import { Model } from './model';
import { ObjectUrlLoader } from './objectUrlLoader';

/** The stretches the quick look offers. */
export type PreviewStretch = NonNullable<IPreviewOptions['stretch']>;

/**
 * A PNG quick look of a 2-D image (`GET /previews`), fetched through the
 * client (with the server's credentials) and held as an object URL, which is
 * freed when a new one replaces it and when the model is disposed.
 */
export class PreviewModel extends Model {
  /** Create the model and ask for the image. */
  constructor(options: PreviewModel.IOptions) {
    super();
    this._client = options.client;
    this.path = options.path;
    this._stretch = options.stretch ?? 'asinh';
    void this._load();
  }

  /** The image, relative to the server root. */
  readonly path: string;

  /** The stretch of the image shown or being asked for. */
  get stretch(): PreviewStretch {
    return this._stretch;
  }

  /** Ask for the image with another stretch. */
  setStretch(stretch: PreviewStretch): void {
    if (stretch === this._stretch) {
      return;
    }
    this._stretch = stretch;
    void this._load();
  }

  /** The request's state; `value` is the object URL of the PNG. */
  get state(): ILoadable<string> {
    return this._image.state;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._image.dispose();
    super.dispose();
  }

  private async _load(): Promise<void> {
    const stretch = this._stretch;
    await this._image.load(
      () => this._client.getPreview(this.path, { stretch }),
      { keepValue: false }
    );
  }

  private readonly _client: IJwstLabClient;
  private readonly _image = new ObjectUrlLoader(() => this.emitChanged());
  private _stretch: PreviewStretch;
}

/** The namespace for `PreviewModel` statics. */
export namespace PreviewModel {
  /** Options to create a quick look. */
  export interface IOptions {
    client: IJwstLabClient;
    /** A 2-D image, relative to the server root. */
    path: string;
    stretch?: PreviewStretch;
  }
}
