import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type {
  IMastColumn,
  IMastSearchParams,
  IMastSearchResult,
  MastRow
} from '../api/models';
import { ISortState, sortRows } from '../components/VirtualTable';
import { idle, ILoadable } from '../models/loadable';
import { Model } from '../models/model';
import { IJwstLabClient } from '../tokens';
import { loadTrans } from '../translation';
import {
  buildSearch,
  DEFAULT_RADIUS_DEG,
  emptyForm,
  formErrorsOf,
  IMastSearchForm,
  isSearchForm,
  MastFormErrors
} from './form';

/** Rows per page the panel offers; the server may cap them. */
export const PAGE_SIZES = [100, 500, 1000, 5000, 10000];

/** Rows per page when nothing was chosen. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Columns shown before the user picks any. */
export const DEFAULT_COLUMNS = [
  'obs_id',
  'target_name',
  'instrument_name',
  'filters',
  'proposal_id',
  'calib_level',
  't_min',
  'dataRights'
];

/**
 * The order results start in: by observation id, which groups a program's
 * observations, visits and exposures (and puts each Level 3 product, named
 * `jw<program>-o<obs>_...`, just before its members), so the same search
 * always lists the same way; start times are often equal or missing.
 */
export const DEFAULT_SORT: ISortState = {
  column: 'obs_id',
  direction: 'ascending'
};

/** What is remembered of the last search across reloads (never the token). */
export interface IMastSavedSearch {
  form: IMastSearchForm;
  page: number;
  page_size: number;
  sort: ISortState | null;
  columns: string[];
  /** Per-column filters of the results grid (absent in older saves). */
  filters?: Record<string, string>;
}

/** Whether `value` is a saved search from the state database. */
export function isSavedSearch(value: unknown): value is IMastSavedSearch {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const raw = value as Partial<IMastSavedSearch>;
  return (
    isSearchForm(raw.form) &&
    typeof raw.page === 'number' &&
    raw.page >= 1 &&
    typeof raw.page_size === 'number' &&
    raw.page_size >= 1 &&
    Array.isArray(raw.columns) &&
    raw.columns.every(column => typeof column === 'string') &&
    (raw.filters === undefined ||
      (typeof raw.filters === 'object' &&
        raw.filters !== null &&
        Object.values(raw.filters).every(text => typeof text === 'string')))
  );
}

/** The names of a MAST table's columns. */
export function columnNames(
  columns: readonly IMastColumn[] | undefined
): string[] {
  return (columns ?? []).map(column => column.name);
}

/** Whether a row holds exclusive-access data (needs a token to download). */
export function isExclusive(row: MastRow): boolean {
  const rights = String(row.dataRights ?? '').toUpperCase();
  return rights !== '' && rights !== 'PUBLIC';
}

/** The `sort` parameter of a search: the column, `-` in front for descending. */
export function sortParam(sort: ISortState | null): string | undefined {
  if (!sort || sort.column.startsWith('__')) {
    return undefined;
  }
  return sort.direction === 'descending' ? `-${sort.column}` : sort.column;
}

/**
 * The MAST search: the form as typed and its checks, the page of
 * observations shown (with its order and columns), and what the server said
 * about the last search. Emits `saved` with what a reload should restore.
 *
 * A server 400 goes next to the form field its `field` names, or to the
 * form's general error; a target the name resolver does not know goes to the
 * target field; other failures (e.g. 502 from MAST) are the search's `error`.
 */
export class MastSearchModel extends Model {
  /** Create the model. */
  constructor(options: MastSearchModel.IOptions) {
    super();
    this._client = options.client;
    this._trans = options.trans ?? loadTrans();
    this._form = emptyForm(options.defaultRadius ?? DEFAULT_RADIUS_DEG);
    this._defaultRadiusText = this._form.radius;
  }

  /** Emitted with what to remember after each search the user ran (never the token). */
  get saved(): ISignal<this, IMastSavedSearch> {
    return this._saved;
  }

  /** The form as typed. */
  get form(): IMastSearchForm {
    return this._form;
  }

  /** Change some form fields; what the server said about them goes away. */
  setForm(patch: Partial<IMastSearchForm>): void {
    this._form = { ...this._form, ...patch };
    const errors = { ...this._serverErrors };
    for (const key of Object.keys(patch)) {
      delete errors[key as keyof MastFormErrors];
    }
    delete errors.form;
    this._serverErrors = errors;
    this.emitChanged();
  }

  /** Set the radius field from degrees unless the user typed one. */
  setDefaultRadius(degrees: number): void {
    const radius = emptyForm(degrees).radius;
    if (this._form.radius === this._defaultRadiusText) {
      this._form = { ...this._form, radius };
      this.emitChanged();
    }
    this._defaultRadiusText = radius;
  }

  /** Messages for the form fields: the form's own checks, then what the server said. */
  get formErrors(): MastFormErrors {
    return { ...this.validation.errors, ...this._serverErrors };
  }

  /** What the server said about the last search's fields (by form field, or `form`). */
  get serverErrors(): MastFormErrors {
    return this._serverErrors;
  }

  /** The form's own checks: parameters, or messages per field. */
  get validation(): ReturnType<typeof buildSearch> {
    if (this._validated?.form !== this._form) {
      this._validated = {
        form: this._form,
        value: buildSearch(this._form, this._trans)
      };
    }
    return this._validated.value;
  }

  /** The page of observations shown (kept while the next one loads). */
  get state(): ILoadable<IMastSearchResult> {
    return this._state;
  }

  /** The parameters of the page shown or being loaded, or null before any search. */
  get params(): IMastSearchParams | null {
    return this._params;
  }

  /** Why the last search failed, when no form field took the message. */
  get error(): IProblem | null {
    return this._placed ? null : this._state.error;
  }

  /**
   * What the server said in full about the last search's target (e.g. what
   * MAST's name resolver answered), for a disclosure under its message.
   */
  get targetDetail(): string | null {
    const error = this._state.error;
    return this._placed && error?.field === 'target'
      ? (error.detail ?? null)
      : null;
  }

  /** Per-column filters of the results grid. */
  get filters(): Readonly<Record<string, string>> {
    return this._filters;
  }

  /** Filter a column by `text` (empty: no filter). */
  setFilter(column: string, text: string): void {
    const filters = { ...this._filters };
    if (text) {
      filters[column] = text;
    } else {
      delete filters[column];
    }
    this._filters = filters;
    this.emitChanged();
    this._emitSaved();
  }

  /** Remove every column filter. */
  clearFilters(): void {
    this._filters = {};
    this.emitChanged();
    this._emitSaved();
  }

  /** Rows of the current page in the chosen order. */
  get rows(): readonly MastRow[] {
    const rows = this._state.value?.rows ?? EMPTY_ROWS;
    if (this._sorted?.rows !== rows || this._sorted.sort !== this._sort) {
      this._sorted = {
        rows,
        sort: this._sort,
        value: sortRows(rows, this._sort, (row, column) => row[column])
      };
    }
    return this._sorted.value;
  }

  /** The column the rows are sorted by, or null. */
  get sort(): ISortState | null {
    return this._sort;
  }

  /**
   * Sort by a column. When the page holds every row, the rows are sorted here;
   * when the search has more rows than the page, the server sorts them all and
   * the first page is shown again.
   */
  setSort(sort: ISortState | null): void {
    this._sort = sort;
    const params = this._params;
    const result = this._state.value;
    if (
      params &&
      result &&
      this._serverSort &&
      result.total > result.rows.length
    ) {
      void this._runSearch({ ...params, page: 1, sort: sortParam(sort) });
      return;
    }
    this.emitChanged();
    this._emitSaved();
  }

  /** Rows per page. */
  get pageSize(): number {
    return this._pageSize;
  }

  /** The columns the server answered with (all that can be shown). */
  get availableColumns(): string[] {
    const names = columnNames(this._state.value?.columns);
    if (names.length > 0) {
      return names;
    }
    const first = this._state.value?.rows[0];
    return first ? Object.keys(first) : DEFAULT_COLUMNS;
  }

  /** The columns shown, in order. */
  get columns(): string[] {
    return this._columns;
  }

  /** Show or hide a column. */
  toggleColumn(name: string): void {
    this._columns = this._columns.includes(name)
      ? this._columns.filter(column => column !== name)
      : [...this._columns, name];
    this.emitChanged();
    this._emitSaved();
  }

  /**
   * Run the search in the form at `page` (1 by default, a new search); the
   * form's own problems stop it before any request.
   */
  async submit(page = 1, pageSize = this._pageSize): Promise<void> {
    const { params } = this.validation;
    if (params === null) {
      this.emitChanged();
      return;
    }
    this._serverErrors = {};
    await this._runSearch({
      ...params,
      page,
      page_size: pageSize,
      sort: this._serverSort ? sortParam(this._sort) : undefined
    });
  }

  /** Show another page of the last search. */
  async goToPage(page: number): Promise<void> {
    if (this._params) {
      await this._runSearch({ ...this._params, page });
    }
  }

  /** Change the page size; the last search runs again from its first page. */
  async setPageSize(pageSize: number): Promise<void> {
    this._pageSize = pageSize;
    if (this._params) {
      await this._runSearch({ ...this._params, page: 1, page_size: pageSize });
    } else {
      this.emitChanged();
    }
  }

  /** Put back a saved search; `run` also asks the server for its page again. */
  async restore(saved: IMastSavedSearch, run: boolean): Promise<void> {
    this._form = { ...saved.form };
    this._pageSize = saved.page_size;
    this._sort = saved.sort ?? DEFAULT_SORT;
    this._filters = { ...(saved.filters ?? {}) };
    if (saved.columns.length > 0) {
      this._columns = [...saved.columns];
    }
    this.emitChanged();
    if (run && this.validation.params !== null) {
      await this.submit(saved.page, saved.page_size);
    }
  }

  /** What a reload would restore now. */
  get savedState(): IMastSavedSearch {
    return {
      form: { ...this._form },
      page: this._params?.page ?? 1,
      page_size: this._pageSize,
      sort: this._sort,
      columns: [...this._columns],
      filters: { ...this._filters }
    };
  }

  private async _runSearch(params: IMastSearchParams): Promise<void> {
    const generation = ++this._generation;
    this._params = params;
    this._placed = false;
    this._state = { status: 'loading', value: this._state.value, error: null };
    this.emitChanged();
    let result: IMastSearchResult;
    try {
      result = await this._client.searchObservations(params);
    } catch (reason) {
      if (generation !== this._generation || this.isDisposed) {
        return;
      }
      const problem = problemOf(reason);
      if (problem.status === 400 && params.sort && problem.field === 'sort') {
        // The server cannot sort by this column: sort the page here instead.
        this._serverSort = false;
        await this._runSearch({ ...params, sort: undefined });
        return;
      }
      const aboutInput = problem.status === 400 || problem.field !== null;
      if (aboutInput) {
        // Bad input, or an answer about one field (the 404 of a target the
        // name resolver does not know names `target`): say so at the field.
        this._serverErrors = formErrorsOf(problem);
        this._placed = true;
      }
      this._state = {
        status: 'error',
        // Rows of an earlier search would pass for this one's: they go.
        value: aboutInput ? null : this._state.value,
        error: problem
      };
      this.emitChanged();
      this._emitSaved();
      return;
    }
    if (generation !== this._generation || this.isDisposed) {
      return;
    }
    const rows = Array.isArray(result.rows) ? result.rows : [];
    this._params = {
      ...params,
      page: typeof result.page === 'number' ? result.page : params.page,
      page_size:
        typeof result.page_size === 'number'
          ? result.page_size
          : params.page_size
    };
    this._state = {
      status: 'ready',
      value: {
        ...result,
        rows,
        total: typeof result.total === 'number' ? result.total : rows.length
      },
      error: null
    };
    if (typeof result.page_size === 'number') {
      this._pageSize = result.page_size;
    }
    const available = new Set(this.availableColumns);
    if (
      available.size > 0 &&
      !this._columns.some(column => available.has(column))
    ) {
      this._columns = this.availableColumns.slice(0, 8);
    }
    this.emitChanged();
    this._emitSaved();
  }

  private _emitSaved(): void {
    if (this._params && !this.isDisposed) {
      this._saved.emit(this.savedState);
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _trans: TranslationBundle;
  private _form: IMastSearchForm;
  private _defaultRadiusText: string;
  private _validated: {
    form: IMastSearchForm;
    value: ReturnType<typeof buildSearch>;
  } | null = null;
  private _serverErrors: MastFormErrors = {};
  private _state: ILoadable<IMastSearchResult> = idle();
  private _params: IMastSearchParams | null = null;
  private _placed = false;
  private _generation = 0;
  private _sort: ISortState | null = DEFAULT_SORT;
  private _filters: Record<string, string> = {};
  private _serverSort = true;
  private _sorted: {
    rows: readonly MastRow[];
    sort: ISortState | null;
    value: readonly MastRow[];
  } | null = null;
  private _pageSize = DEFAULT_PAGE_SIZE;
  private _columns = [...DEFAULT_COLUMNS];
  private _saved = new Signal<this, IMastSavedSearch>(this);
}

/** The namespace for `MastSearchModel` statics. */
export namespace MastSearchModel {
  /** Options to create the model. */
  export interface IOptions {
    client: IJwstLabClient;
    /** Initial radius of the form, degrees. */
    defaultRadius?: number;
    trans?: TranslationBundle;
  }
}

const EMPTY_ROWS: MastRow[] = [];
