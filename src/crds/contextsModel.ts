import type { ICrdsContext, ICrdsContextList } from '../api/models';
import { LoadModel } from '../models/loadable';
import type { IJwstLabClient } from '../tokens';

/** Contexts shown before "Show more", and how many more each time. */
export const CONTEXTS_PAGE = 100;

/** The older of two contexts first (by serial number, then name). */
export function orderContexts(a: string, b: string): [string, string] {
  const serial = (name: string) => {
    const match = /_(\d+)\.pmap$/.exec(name);
    return match ? Number(match[1]) : -1;
  };
  return serial(a) < serial(b) || (serial(a) === serial(b) && a < b)
    ? [a, b]
    : [b, a];
}

/**
 * The CRDS context history of the CRDS panel: the list, its filter, how many
 * are shown, the two ticked for a comparison and the descriptions unfolded.
 */
export class CrdsContextsModel extends LoadModel<ICrdsContextList> {
  /** Create the model and ask for the history. */
  constructor(options: { client: IJwstLabClient }) {
    super(() => options.client.listCrdsContexts());
  }

  /** The filter text: contexts whose name, date, description or status hold every word. */
  get filter(): string {
    return this._filter;
  }

  setFilter(filter: string): void {
    this._filter = filter;
    this._limit = CONTEXTS_PAGE;
    this.emitChanged();
  }

  /** The contexts matching the filter. */
  get matches(): readonly ICrdsContext[] {
    const contexts = this.state.value?.contexts ?? [];
    const words = this._filter.toLowerCase().split(/\s+/).filter(Boolean);
    return contexts.filter(row => {
      const text =
        `${row.context} ${row.date ?? ''} ${row.description ?? ''} ${row.status}`.toLowerCase();
      return words.every(word => text.includes(word));
    });
  }

  /** How many matching contexts are shown. */
  get limit(): number {
    return this._limit;
  }

  /** Show the next page of matching contexts. */
  showMore(): void {
    this._limit += CONTEXTS_PAGE;
    this.emitChanged();
  }

  /** The contexts ticked for a comparison (at most two, the last ticked kept). */
  get chosen(): readonly string[] {
    return this._chosen;
  }

  /** Tick or untick a context; ticking a third one drops the first. */
  toggleChosen(context: string): void {
    this._chosen = this._chosen.includes(context)
      ? this._chosen.filter(c => c !== context)
      : [...this._chosen.slice(-1), context];
    this.emitChanged();
  }

  /** The two ticked contexts, older first, or null unless two are ticked. */
  get comparison(): [string, string] | null {
    return this._chosen.length === 2
      ? orderContexts(this._chosen[0], this._chosen[1])
      : null;
  }

  /** Whether a context's whole description is shown. */
  isUnfolded(context: string): boolean {
    return this._unfolded.has(context);
  }

  /** Show or fold a context's whole description. */
  toggleUnfolded(context: string): void {
    const next = new Set(this._unfolded);
    if (!next.delete(context)) {
      next.add(context);
    }
    this._unfolded = next;
    this.emitChanged();
  }

  private _filter = '';
  private _limit = CONTEXTS_PAGE;
  private _chosen: string[] = [];
  private _unfolded: ReadonlySet<string> = new Set();
}
