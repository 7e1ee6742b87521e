import type { IMastProductsResult, MastRow } from '../api/models';
import { ILoadable, Loader } from '../models/loadable';
import { Model } from '../models/model';
import type { IJwstLabClient } from '../tokens';

/** MAST's group name of the products it recommends. */
export const RECOMMENDED_GROUP = 'Minimum Recommended Products';

/** The key of a product: its dataURI (what a download asks for). */
export function productKey(row: MastRow): string {
  return String(row.dataURI ?? row.productFilename ?? '');
}

/** A product's size in bytes, or 0 when unknown. */
export function productSize(row: MastRow): number {
  const size = Number(row.size);
  return Number.isFinite(size) && size > 0 ? size : 0;
}

/** Whether MAST recommends a product (its group is "Minimum Recommended Products"). */
export function isRecommended(row: MastRow): boolean {
  return row.productGroupDescription === RECOMMENDED_GROUP;
}

/** Filters of the products list (`''` for all). */
export interface IProductFilters {
  /** Only products of this type (`SCIENCE`, ...). */
  productType: string;
  /** Only products of this calibration level. */
  calibLevel: string;
}

/**
 * The products of the observation opened in the MAST panel: the list (with
 * its filters) and the ticked products, kept when the filters change.
 */
export class MastProductsModel extends Model {
  /** Create the model; nothing is open. */
  constructor(options: { client: IJwstLabClient }) {
    super();
    this._client = options.client;
  }

  /** The observation whose products are listed, or null. */
  get observation(): MastRow | null {
    return this._observation;
  }

  /** The products request; `value` holds the rows shown. */
  get state(): ILoadable<IMastProductsResult> {
    return this._loader.state;
  }

  /** The products listed (an empty list before they arrive). */
  get rows(): readonly MastRow[] {
    return this._loader.state.value?.rows ?? EMPTY_ROWS;
  }

  /** The list's filters. */
  get filters(): IProductFilters {
    return this._filters;
  }

  /** Open an observation: load its products; the selection starts empty. */
  async open(row: MastRow): Promise<void> {
    this._observation = row;
    this._selection = new Set();
    this._sizes = new Map();
    this._loader.reset();
    await this.load();
  }

  /** Close the observation. */
  close(): void {
    this._observation = null;
    this._filters = { productType: '', calibLevel: '' };
    this._selection = new Set();
    this._loader.reset();
  }

  /** Filter the products by type and level (`''` for all); loads them again. */
  async setFilters(filters: Partial<IProductFilters>): Promise<void> {
    this._filters = { ...this._filters, ...filters };
    await this.load();
  }

  /** Ask the server for the open observation's products (with the filters). */
  async load(): Promise<void> {
    const obsid = this._observation?.obsid;
    if (obsid === null || obsid === undefined) {
      return;
    }
    const { productType, calibLevel } = this._filters;
    await this._loader.load(async () => {
      const result = await this._client.listProducts(String(obsid), {
        product_type: productType || undefined,
        calib_level: calibLevel || undefined
      });
      const rows = Array.isArray(result.rows) ? result.rows : [];
      rows.forEach(row => this._sizes.set(productKey(row), productSize(row)));
      return { ...result, rows };
    });
  }

  /** The dataURIs of the ticked products (kept when filters change). */
  get selection(): ReadonlySet<string> {
    return this._selection;
  }

  /** Total size in bytes of the ticked products. */
  get selectionSize(): number {
    let total = 0;
    this._selection.forEach(key => (total += this._sizes.get(key) ?? 0));
    return total;
  }

  /** Tick or untick one product. */
  toggle(key: string, selected?: boolean): void {
    const next = new Set(this._selection);
    if (selected ?? !next.has(key)) {
      next.add(key);
    } else {
      next.delete(key);
    }
    this._selection = next;
    this.emitChanged();
  }

  /** Tick exactly `keys`. */
  select(keys: Iterable<string>): void {
    this._selection = new Set(keys);
    this.emitChanged();
  }

  /** Tick MAST's recommended products among those listed (and only them). */
  selectRecommended(): void {
    this.select(this.rows.filter(isRecommended).map(productKey));
  }

  private readonly _client: IJwstLabClient;
  private readonly _loader = new Loader<IMastProductsResult>(() =>
    this.emitChanged()
  );
  private _observation: MastRow | null = null;
  private _filters: IProductFilters = { productType: '', calibLevel: '' };
  private _selection: Set<string> = new Set();
  private _sizes = new Map<string, number>();
}

const EMPTY_ROWS: MastRow[] = [];
