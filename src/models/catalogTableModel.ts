import type { ICatalogTable } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import {
  ICatalogSort,
  nextSort,
  sortedOrder
} from '../widgets/quicklook/catalogSort';
import type { ImageViewModel } from './imageViewModel';
import { ILoadable, Loader } from './loadable';
import { Model } from './model';

/** Rows the server sends for a table (its largest page). */
export const TABLE_ROWS = 20000;
/** Rows shown per page of the table. */
export const PAGE_SIZE = 100;

/**
 * A source catalog (`GET /catalogs`) as a sortable, paged table, optionally
 * linked to the quick look of its image: a row selected here centres the
 * image on the source; a source selected on the image selects its row.
 */
export class CatalogTableModel extends Model {
  /** Create the model and ask for the catalog. */
  constructor(options: CatalogTableModel.IOptions) {
    super();
    this._client = options.client;
    this.path = options.path;
    void this.reload();
  }

  /** The catalog, relative to the server root. */
  readonly path: string;

  get table(): ILoadable<ICatalogTable> {
    return this._loader.state;
  }

  get sort(): ICatalogSort | null {
    return this._sort;
  }

  /** Row indices (in the file) in display order. */
  get order(): readonly number[] {
    return this._order;
  }

  /** The page shown (0-based) and how many there are. */
  get page(): number {
    return this._page;
  }

  get pageCount(): number {
    return Math.max(1, Math.ceil(this._order.length / PAGE_SIZE));
  }

  /** The file row indices of the page shown. */
  get pageRows(): readonly number[] {
    return this._order.slice(
      this._page * PAGE_SIZE,
      (this._page + 1) * PAGE_SIZE
    );
  }

  /** The selected row (its index in the file), or null. */
  get selected(): number | null {
    return this._selected;
  }

  /** The quick look this table drives, or null. */
  get image(): ImageViewModel | null {
    return this._image?.isDisposed ? null : this._image;
  }

  /** Ask for the catalog again. */
  async reload(): Promise<void> {
    await this._loader.load(() =>
      this._client.getCatalog(this.path, { limit: TABLE_ROWS })
    );
    this._resort();
  }

  /** Sort by `column` (ascending, descending, then file order). */
  sortBy(column: number): void {
    this._sort = nextSort(this._sort, column);
    this._resort();
  }

  setPage(page: number): void {
    const clamped = Math.max(0, Math.min(this.pageCount - 1, page));
    if (clamped !== this._page) {
      this._page = clamped;
      this.emitChanged();
    }
  }

  /** Select row `index` (in the file) and centre the linked image on its source. */
  select(index: number | null): void {
    this._selected = index;
    this._showSelected();
    this.emitChanged();
    this.image?.selectSource(index, true);
  }

  /** Drive `image` (or nothing): its selected source follows this table's and back. */
  link(image: ImageViewModel | null): void {
    if (image === this._image) {
      return;
    }
    this._image?.changed.disconnect(this._onImageChanged, this);
    this._image = image;
    image?.changed.connect(this._onImageChanged, this);
    this.emitChanged();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.link(null);
    this._loader.reset();
    super.dispose();
  }

  private _onImageChanged(image: ImageViewModel): void {
    if (image.isDisposed) {
      this.link(null);
      return;
    }
    const source = image.selectedSource;
    if (source !== this._selected) {
      this._selected = source;
      this._showSelected();
      this.emitChanged();
    }
  }

  private _showSelected(): void {
    if (this._selected === null) {
      return;
    }
    const position = this._order.indexOf(this._selected);
    if (position >= 0) {
      this._page = Math.floor(position / PAGE_SIZE);
    }
  }

  private _resort(): void {
    const table = this._loader.state.value;
    this._order = table ? sortedOrder(table.rows, this._sort) : [];
    this._page = 0;
    this._showSelected();
    this.emitChanged();
  }

  private readonly _client: IJwstLabClient;
  private readonly _loader = new Loader<ICatalogTable>(() =>
    this.emitChanged()
  );
  private _sort: ICatalogSort | null = null;
  private _order: readonly number[] = [];
  private _page = 0;
  private _selected: number | null = null;
  private _image: ImageViewModel | null = null;
}

/** The namespace for `CatalogTableModel` statics. */
export namespace CatalogTableModel {
  /** Options to create a catalog table. */
  export interface IOptions {
    client: IJwstLabClient;
    /** An ECSV catalog, relative to the server root. */
    path: string;
  }
}
