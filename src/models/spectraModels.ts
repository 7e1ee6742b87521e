import type {
  ICubeInfo,
  ICubeSpectrum,
  ISpectraResponse,
  ISpectralImage,
  ISpectrumData
} from '../api/models';
import type { IJwstLabClient } from '../tokens';
import { ILoadable, Loader, LoaderModel } from './loadable';
import { Model } from './model';
import { ObjectUrlLoader } from './objectUrlLoader';

/** The stretches of spectral images and cube planes (the server's `stretch`). */
export type PreviewStretch = 'asinh' | 'zscale' | 'linear';

/** The spectral products a quick look opens, by what the file holds. */
export type SpectralKind = 'x1d' | 's2d' | 's3d';

/** The kind of a spectral product from its JWST file name, or null for anything else. */
export function spectralKind(path: string): SpectralKind | null {
  if (/_(x1d|x1dints|c1d)\.fits$/i.test(path)) {
    return 'x1d';
  }
  if (/_s2d\.fits$/i.test(path)) {
    return 's2d';
  }
  if (/_s3d\.fits$/i.test(path)) {
    return 's3d';
  }
  return null;
}

/**
 * The spectra of an x1d file (`GET /spectra`): the list from the first
 * answer, the arrays of the selected spectrum, and those already fetched kept
 * so switching back is instant.
 */
export class SpectrumFileModel extends LoaderModel<ISpectraResponse> {
  /** Create the model and ask for the first spectrum. */
  constructor(options: { client: IJwstLabClient; path: string }) {
    super();
    this._client = options.client;
    this.path = options.path;
    void this.select(0);
  }

  /** The file, relative to the server root. */
  readonly path: string;

  /** The index of the spectrum shown or being asked for. */
  get selected(): number {
    return this._selected;
  }

  /** The arrays of the selected spectrum, when they are here. */
  get spectrum(): ISpectrumData | null {
    return this._cache.get(this._selected) ?? null;
  }

  /** Show spectrum `index` (fetched once). */
  async select(index: number): Promise<void> {
    this._selected = index;
    const known = this._cache.get(index);
    const last = this._loader.state.value;
    if (known && last) {
      this._loader.set({ ...last, spectrum: known });
      return;
    }
    await this._loader.load(async () => {
      const answer = await this._client.getSpectra(this.path, { index });
      this._cache.set(answer.spectrum.index, answer.spectrum);
      return answer;
    });
  }

  /** Ask again for the selected spectrum (Retry). */
  async reload(): Promise<void> {
    this._cache.delete(this._selected);
    await this.select(this._selected);
  }

  private readonly _client: IJwstLabClient;
  private readonly _cache = new Map<number, ISpectrumData>();
  private _selected = 0;
}

/**
 * The base of the spectral models drawn as a PNG (an s2d slit, a cube
 * plane): the file, the image as an object URL, and its stretch.
 */
abstract class SpectralPngModel extends Model {
  /** Create the model (the subclass sends the first requests). */
  constructor(options: { client: IJwstLabClient; path: string }) {
    super();
    this._client = options.client;
    this.path = options.path;
  }

  /** The file, relative to the server root. */
  readonly path: string;

  /** The PNG shown (an object URL). */
  get image(): ILoadable<string> {
    return this._image.state;
  }

  get stretch(): PreviewStretch {
    return this._stretch;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._image.dispose();
    super.dispose();
  }

  protected readonly _client: IJwstLabClient;
  protected readonly _image = new ObjectUrlLoader(() => this.emitChanged());
  protected _stretch: PreviewStretch = 'asinh';
}

/** An s2d file (`GET /spectra/image`): one slit at a time, as an image with wavelengths. */
export class SpectralImageModel extends SpectralPngModel {
  /** Create the model and ask for the first slit. */
  constructor(options: { client: IJwstLabClient; path: string }) {
    super(options);
    void this.select(0);
  }

  /** The slits and the shown slit's columns and wavelengths. */
  get state(): ILoadable<ISpectralImage> {
    return this._meta.state;
  }

  get slit(): number {
    return this._slit;
  }

  /** Show slit `index`. */
  async select(index: number): Promise<void> {
    this._slit = index;
    await Promise.all([
      this._meta.load(() => this._client.getSpectralImage(this.path, index)),
      this._loadImage()
    ]);
  }

  /** Draw the slit with another stretch. */
  setStretch(stretch: PreviewStretch): void {
    if (stretch !== this._stretch) {
      this._stretch = stretch;
      void this._loadImage();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._meta.reset();
    super.dispose();
  }

  private _loadImage(): Promise<void> {
    const { _slit: slit, _stretch: stretch } = this;
    return this._image.load(() =>
      this._client.getSpectralImagePreview(this.path, slit, stretch)
    );
  }

  private readonly _meta = new Loader<ISpectralImage>(() => this.emitChanged());
  private _slit = 0;
}

/**
 * An s3d cube (`GET /cubes`): the plane shown (one request in flight at a
 * time, the latest plane asked for next, so a dragged slider never queues
 * dozens of PNGs), its stretch, and the spectrum of the spaxel picked.
 */
export class CubeModel extends SpectralPngModel {
  /** Create the model and ask for the cube and its middle plane. */
  constructor(options: { client: IJwstLabClient; path: string }) {
    super(options);
    void this._start();
  }

  get state(): ILoadable<ICubeInfo> {
    return this._info.state;
  }

  /** The plane asked for (what the slider shows). */
  get plane(): number {
    return this._plane;
  }

  /** The plane the image on screen shows. */
  get shownPlane(): number | null {
    return this._shownPlane;
  }

  /** The spaxel picked (0-based, row 0 at the bottom), or null. */
  get spaxel(): { x: number; y: number } | null {
    return this._spaxel;
  }

  get spectrum(): ILoadable<ICubeSpectrum> {
    return this._spectrum.state;
  }

  /** Show plane `index` (clamped to the cube). */
  setPlane(index: number): void {
    const planes = this._info.state.value?.shape[0] ?? 0;
    const plane = Math.max(0, Math.min(planes - 1, Math.round(index)));
    if (plane === this._plane) {
      return;
    }
    this._plane = plane;
    this.emitChanged();
    void this._pump();
  }

  setStretch(stretch: PreviewStretch): void {
    if (stretch !== this._stretch) {
      this._stretch = stretch;
      this._shownPlane = null;
      void this._pump();
    }
  }

  /** How many planes from the current one on are averaged into the image (1: none). */
  get collapse(): number {
    return this._collapse;
  }

  /** Average `planes` planes from the current one (a wavelength range collapsed). */
  setCollapse(planes: number): void {
    const collapse = Math.max(1, Math.round(planes));
    if (collapse !== this._collapse) {
      this._collapse = collapse;
      this._shownPlane = null;
      this.emitChanged();
      void this._pump();
    }
  }

  /** Pick spaxel (x, y) and ask for its spectrum. */
  async pick(x: number, y: number): Promise<void> {
    this._spaxel = { x, y };
    await this._spectrum.load(() =>
      this._client.getCubeSpectrum(this.path, x, y)
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._info.reset();
    this._spectrum.reset();
    super.dispose();
  }

  private async _start(): Promise<void> {
    const problem = await this._info.load(() =>
      this._client.getCube(this.path)
    );
    const info = this._info.state.value;
    if (problem === null && info) {
      this._plane = Math.floor(info.shape[0] / 2);
      this.emitChanged();
      await this._pump();
    }
  }

  /** Fetch the plane asked for unless it is shown; again while it keeps changing. */
  private async _pump(): Promise<void> {
    if (this._busy) {
      return;
    }
    this._busy = true;
    try {
      while (
        !this.isDisposed &&
        (this._shownPlane !== this._plane ||
          this._shownStretch !== this._stretch)
      ) {
        const plane = this._plane;
        const stretch = this._stretch;
        const collapse = this._collapse;
        await this._image.load(() =>
          this._client.getCubeSlice(this.path, {
            index: plane,
            stretch,
            ...(collapse > 1 ? { collapse } : {})
          })
        );
        if (this._image.state.status !== 'ready') {
          break; // an error: shown, not retried in a loop
        }
        this._shownPlane = plane;
        this._shownStretch = stretch;
        this.emitChanged();
      }
    } finally {
      this._busy = false;
    }
  }

  private readonly _info = new Loader<ICubeInfo>(() => this.emitChanged());
  private readonly _spectrum = new Loader<ICubeSpectrum>(() =>
    this.emitChanged()
  );
  private _plane = 0;
  private _shownPlane: number | null = null;
  private _shownStretch: PreviewStretch | null = null;
  private _collapse = 1;
  private _spaxel: { x: number; y: number } | null = null;
  private _busy = false;
}
