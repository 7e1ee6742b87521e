import type { ICrdsDiff } from '../api/models';
import { filterRows } from '../components/VirtualTable';
import { ILoadable, Loader } from '../models/loadable';
import { Model } from '../models/model';
import type { IJwstLabClient } from '../tokens';

/** What changed between two contexts (`GET /crds/diff`) and the search over its rule changes. */
export class CrdsDiffModel extends Model {
  /** Create the model and ask for the diff. */
  constructor(options: {
    client: IJwstLabClient;
    oldContext: string;
    newContext: string;
  }) {
    super();
    this._client = options.client;
    this.oldContext = options.oldContext;
    this.newContext = options.newContext;
    void this.reload();
  }

  /** The older context. */
  readonly oldContext: string;

  /** The newer context. */
  readonly newContext: string;

  /** The diff's request. */
  get state(): ILoadable<ICrdsDiff> {
    return this._loader.state;
  }

  /** Ask for the diff again. */
  async reload(): Promise<void> {
    await this._loader.load(
      () => this._client.getCrdsDiff(this.oldContext, this.newContext),
      { keepValue: false }
    );
  }

  /** The search text over the rule changes. */
  get search(): string {
    return this._search;
  }

  setSearch(search: string): void {
    this._search = search;
    this.emitChanged();
  }

  /** The rule changes matching the search: mapping, rule, change. */
  get changeRows(): readonly string[][] {
    const diff = this._loader.state.value;
    if (this._rows?.diff !== diff || this._rows.search !== this._search) {
      const all = (diff?.changes ?? []).map(change => [
        change.rmap ?? change.mappings[change.mappings.length - 1] ?? '',
        change.selector.join(' · '),
        change.change
      ]);
      this._rows = {
        diff,
        search: this._search,
        value: filterRows(all, this._search)
      };
    }
    return this._rows.value;
  }

  private readonly _client: IJwstLabClient;
  private readonly _loader = new Loader<ICrdsDiff>(() => this.emitChanged());
  private _search = '';
  private _rows: {
    diff: ICrdsDiff | null;
    search: string;
    value: readonly string[][];
  } | null = null;
}
