import { filterRows } from '../components/VirtualTable';
import { LoadModel } from '../models/loadable';

/**
 * A table loaded from the server (asked for on creation; `reload()` asks
 * again) and the search over its rows: the rows holding every word of the
 * search are shown.
 */
export class SearchTableModel<T> extends LoadModel<T> {
  /** Create the model and send the request; `rowsOf` reads the answer's rows. */
  constructor(
    request: () => Promise<T>,
    rowsOf: (value: T) => readonly string[][]
  ) {
    super(request);
    this._rowsOf = rowsOf;
  }

  /** The search text. */
  get search(): string {
    return this._search;
  }

  setSearch(search: string): void {
    this._search = search;
    this.emitChanged();
  }

  /** The rows matching the search (none before the answer). */
  get rows(): readonly string[][] {
    const value = this.state.value;
    if (this._rows?.value !== value || this._rows.search !== this._search) {
      this._rows = {
        value,
        search: this._search,
        rows:
          value === null ? [] : filterRows(this._rowsOf(value), this._search)
      };
    }
    return this._rows.rows;
  }

  private readonly _rowsOf: (value: T) => readonly string[][];
  private _search = '';
  private _rows: {
    value: T | null;
    search: string;
    rows: readonly string[][];
  } | null = null;
}
