import type { ICatalogTable, IImageInfo, IImagePixel } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import {
  centreOn,
  fitView,
  IPoint,
  ISize,
  IView,
  needsDetail,
  panBy,
  Region,
  regionFactor,
  visibleRegion,
  zoomAt,
  ZOOM_STEP
} from '../widgets/quicklook/viewTransform';
import { ILoadable, Loader } from './loadable';
import { Model } from './model';
import type { PreviewStretch } from './previewModel';

/** Longest side of the whole-image picture (the server's default `max_size`). */
export const OVERVIEW_SIZE = 1024;
/** Largest `max_size` the server accepts for a region. */
const MAX_REGION_SIZE = 4096;
/** Rows of a catalog drawn over the image (the server's largest page). */
export const CATALOG_ROWS = 20000;
/** Wait after the last pan or zoom before asking for the visible region. */
const DETAIL_DELAY_MS = 150;
/** Wait after the pointer stops before asking for the pixel under it. */
const PIXEL_DELAY_MS = 120;

/** A region of the image fetched at screen resolution. */
export interface IDetailTile {
  readonly url: string;
  readonly region: Region;
  readonly factor: number;
  /** The PNG's size, as the server makes it for `region` and `factor`. */
  readonly png: ISize;
}

/** A source of the catalog drawn over the image: its row and 0-based position. */
export interface ISourceMarker {
  /** Row index in the catalog file. */
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

/**
 * An image in the quick look: its facts (`GET /images/info`), the
 * whole-image PNG, the view (pan and zoom), a sharper PNG of the visible
 * region when zoomed in past the whole picture's resolution, the pixel
 * under the pointer with RA/Dec (debounced), and the source catalog drawn
 * over it with a selected source. PNGs are object URLs, freed when replaced
 * and on dispose.
 */
export class ImageViewModel extends Model {
  /** Create the model and ask for the image's facts and its picture. */
  constructor(options: ImageViewModel.IOptions) {
    super();
    this._client = options.client;
    this.path = options.path;
    this._stretch = options.stretch ?? 'asinh';
    void this._info.load(() => this._client.getImageInfo(this.path));
    void this._loadOverview();
  }

  /** The image, relative to the server root. */
  readonly path: string;

  get stretch(): PreviewStretch {
    return this._stretch;
  }

  /** The image's facts. */
  get info(): ILoadable<IImageInfo> {
    return this._info.state;
  }

  /** The whole-image PNG (object URL). */
  get overview(): ILoadable<string> {
    return this._overview.state;
  }

  /** The visible region at screen resolution, when zoomed in (else null). */
  get detail(): IDetailTile | null {
    return this._detail;
  }

  /** The view, once the image's size and the viewport's are known. */
  get view(): IView | null {
    return this._view;
  }

  get viewport(): ISize | null {
    return this._viewport;
  }

  /** The pixel readout (idle while the pointer is off the image). */
  get pixel(): ILoadable<IImagePixel> {
    return this._pixel.state;
  }

  /** The catalog beside the image, once asked for. */
  get catalog(): ILoadable<ICatalogTable> {
    return this._catalog.state;
  }

  /** Whether the catalog's sources are drawn over the image. */
  get showCatalog(): boolean {
    return this._showCatalog;
  }

  /** The catalog's sources with a pixel position (empty until loaded). */
  get markers(): readonly ISourceMarker[] {
    return this._markers;
  }

  /** The selected source's catalog row, or null. */
  get selectedSource(): number | null {
    return this._selected;
  }

  /** Pixels of the image per pixel of the whole-image PNG's. */
  get overviewFactor(): number {
    const info = this.info.value;
    if (!info) {
      return 1;
    }
    return Math.max(
      1,
      Math.ceil(Math.max(info.width, info.height) / OVERVIEW_SIZE)
    );
  }

  /** Ask for the image with another stretch. */
  setStretch(stretch: PreviewStretch): void {
    if (stretch === this._stretch) {
      return;
    }
    this._stretch = stretch;
    this._setDetail(null);
    void this._loadOverview();
    this._scheduleDetail();
  }

  /** The viewport's size changed (the first size known fits the image). */
  setViewport(size: ISize): void {
    if (
      size.width <= 0 ||
      size.height <= 0 ||
      (this._viewport?.width === size.width &&
        this._viewport?.height === size.height)
    ) {
      return;
    }
    this._viewport = size;
    if (this._view === null && this.info.value) {
      this.fit(); // else the image's facts fit it when they arrive
    }
    this.emitChanged();
    this._scheduleDetail();
  }

  /** Show the whole image. */
  fit(): void {
    const info = this.info.value;
    if (info && this._viewport) {
      this._setView(
        fitView({ width: info.width, height: info.height }, this._viewport)
      );
    }
  }

  /** One screen pixel per image pixel, around the centre. */
  actualSize(): void {
    if (this._view) {
      this._setView({ ...this._view, scale: 1 });
    }
  }

  /** Zoom in (`steps` > 0) or out around `anchor` (screen; default the centre). */
  zoom(steps: number, anchor?: IPoint): void {
    if (this._view && this._viewport) {
      this._setView(
        zoomAt(this._view, this._viewport, Math.pow(ZOOM_STEP, steps), anchor)
      );
    }
  }

  /** Move the image by a drag of `(dx, dy)` screen pixels. */
  pan(dx: number, dy: number): void {
    if (this._view) {
      this._setView(panBy(this._view, dx, dy));
    }
  }

  /** The pointer is over image point `p` (0-based), or left the image (null). */
  hover(p: IPoint | null): void {
    window.clearTimeout(this._pixelTimer);
    const info = this.info.value;
    const inside =
      p !== null &&
      info !== null &&
      Math.round(p.x) >= 0 &&
      Math.round(p.y) >= 0 &&
      Math.round(p.x) < info.width &&
      Math.round(p.y) < info.height;
    if (!inside) {
      if (this._pixel.state.status !== 'idle') {
        this._pixel.reset();
      }
      return;
    }
    this._pixelTimer = window.setTimeout(() => {
      void this._pixel.load(() =>
        this._client.getImagePixel(this.path, p.x, p.y)
      );
    }, PIXEL_DELAY_MS);
  }

  /** Draw the catalog's sources over the image, or stop. */
  setShowCatalog(show: boolean): void {
    if (show === this._showCatalog) {
      return;
    }
    this._showCatalog = show;
    this.emitChanged();
    if (show && this._catalog.state.status === 'idle') {
      void this.loadCatalog();
    }
  }

  /** Ask for the catalog beside the image (`info.catalog`). */
  async loadCatalog(): Promise<void> {
    const catalog = this.info.value?.catalog;
    if (!catalog) {
      return;
    }
    await this._catalog.load(() =>
      this._client.getCatalog(catalog, { limit: CATALOG_ROWS })
    );
    this._markers = markersOf(this._catalog.state.value);
    this.emitChanged();
  }

  /**
   * Select the source of catalog row `index` (null: none); `centre` moves
   * the view onto it.
   */
  selectSource(index: number | null, centre = false): void {
    this._selected = index;
    const marker =
      index === null ? undefined : this._markers.find(m => m.index === index);
    if (centre && marker && this._view) {
      this._setView(centreOn(this._view, marker));
      return;
    }
    this.emitChanged();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._pixelTimer);
    window.clearTimeout(this._detailTimer);
    this._info.reset();
    this._overview.reset();
    this._pixel.reset();
    this._catalog.reset();
    this._setDetail(null);
    this._revoke(this._overviewUrl);
    this._overviewUrl = null;
    super.dispose();
  }

  private _setView(view: IView): void {
    this._view = view;
    this.emitChanged();
    this._scheduleDetail();
  }

  private _scheduleDetail(): void {
    window.clearTimeout(this._detailTimer);
    this._detailTimer = window.setTimeout(
      () => void this._loadDetail(),
      DETAIL_DELAY_MS
    );
  }

  private async _loadDetail(): Promise<void> {
    const info = this.info.value;
    const view = this._view;
    const viewport = this._viewport;
    if (!info || !view || !viewport) {
      return;
    }
    if (!needsDetail(view, 1 / this.overviewFactor)) {
      this._setDetail(null);
      return;
    }
    const region = visibleRegion(view, viewport, {
      width: info.width,
      height: info.height
    });
    if (region === null) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    const maxSize = Math.min(
      MAX_REGION_SIZE,
      Math.max(16, Math.ceil(Math.max(viewport.width, viewport.height) * ratio))
    );
    const factor = regionFactor(region, maxSize);
    const current = this._detail;
    if (
      current &&
      current.factor === factor &&
      current.region.every((v, i) => v === region[i])
    ) {
      return;
    }
    const generation = ++this._detailGeneration;
    const stretch = this._stretch;
    let url: string;
    try {
      const blob = await this._client.getPreview(this.path, {
        stretch,
        max_size: maxSize,
        region: region.join(',')
      });
      url = URL.createObjectURL(blob);
    } catch {
      // The whole-image picture stays; the next pan or zoom asks again.
      return;
    }
    if (generation !== this._detailGeneration || this.isDisposed) {
      URL.revokeObjectURL(url);
      return;
    }
    this._setDetail({
      url,
      region,
      factor,
      png: {
        width: Math.ceil((region[2] - region[0]) / factor),
        height: Math.ceil((region[3] - region[1]) / factor)
      }
    });
  }

  private _setDetail(tile: IDetailTile | null): void {
    if (tile === null) {
      this._detailGeneration++;
    }
    if (this._detail === tile) {
      return;
    }
    this._revoke(this._detail?.url ?? null);
    this._detail = tile;
    this.emitChanged();
  }

  private async _loadOverview(): Promise<void> {
    const stretch = this._stretch;
    const made: { url: string | null } = { url: null };
    await this._overview.load(async () => {
      const blob = await this._client.getPreview(this.path, {
        stretch,
        max_size: OVERVIEW_SIZE
      });
      made.url = URL.createObjectURL(blob);
      return made.url;
    });
    const created = made.url;
    if (created === null) {
      return;
    }
    if (this._overview.state.value === created) {
      this._revoke(this._overviewUrl);
      this._overviewUrl = created;
    } else {
      URL.revokeObjectURL(created);
    }
  }

  private _revoke(url: string | null): void {
    if (url !== null) {
      URL.revokeObjectURL(url);
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _info = new Loader<IImageInfo>(() => {
    this.emitChanged();
    if (this._view === null && this._info.state.value && this._viewport) {
      this.fit();
    }
  });
  private readonly _overview = new Loader<string>(() => this.emitChanged());
  private readonly _pixel = new Loader<IImagePixel>(() => this.emitChanged());
  private readonly _catalog = new Loader<ICatalogTable>(() =>
    this.emitChanged()
  );
  private _stretch: PreviewStretch;
  private _overviewUrl: string | null = null;
  private _detail: IDetailTile | null = null;
  private _detailGeneration = 0;
  private _view: IView | null = null;
  private _viewport: ISize | null = null;
  private _showCatalog = false;
  private _markers: readonly ISourceMarker[] = [];
  private _selected: number | null = null;
  private _pixelTimer = 0;
  private _detailTimer = 0;
}

/** The sources of a catalog that have a pixel position (its `x_column`/`y_column`). */
export function markersOf(table: ICatalogTable | null): ISourceMarker[] {
  if (!table || table.x_column === null || table.y_column === null) {
    return [];
  }
  const names = table.columns.map(c => c.name);
  const xi = names.indexOf(table.x_column);
  const yi = names.indexOf(table.y_column);
  const markers: ISourceMarker[] = [];
  table.rows.forEach((row, i) => {
    const x = row[xi];
    const y = row[yi];
    if (typeof x === 'number' && typeof y === 'number') {
      markers.push({ index: table.offset + i, x, y });
    }
  });
  return markers;
}

/** The namespace for `ImageViewModel` statics. */
export namespace ImageViewModel {
  /** Options to create an image view. */
  export interface IOptions {
    client: IJwstLabClient;
    /** A 2-D image, relative to the server root. */
    path: string;
    stretch?: PreviewStretch;
  }
}
