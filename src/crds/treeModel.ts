import type {
  ICrdsMapping,
  ICrdsTree,
  ICrdsTreeInstrument,
  ICrdsTreeType
} from '../api/models';
import { LoadModel } from '../models/loadable';
import type { IJwstLabClient } from '../tokens';
import { SearchTableModel } from './searchTableModel';

/** One rmap's rules (`GET /crds/mappings/{mapping}`) and the search over them. */
export class CrdsRulesModel extends SearchTableModel<ICrdsMapping> {
  /** Create the model and ask for the mapping. */
  constructor(options: { client: IJwstLabClient; mapping: string }) {
    super(
      () => options.client.getCrdsMapping(options.mapping),
      mapping => mapping.rows
    );
    this.mapping = options.mapping;
  }

  /** The rmap's name. */
  readonly mapping: string;
}

/**
 * A context's tree (`GET /crds/contexts/{context}`): instruments, their
 * reference types, and the rules of the type chosen.
 */
export class CrdsTreeModel extends LoadModel<ICrdsTree> {
  /** Create the model and ask for the tree. */
  constructor(options: CrdsTreeModel.IOptions) {
    super(() => options.client.getCrdsTree(options.context));
    this._client = options.client;
    this.context = options.context;
    this._instrument = options.initial?.instrument ?? null;
    this._reftype = options.initial?.reftype ?? null;
  }

  /** The context shown. */
  readonly context: string;

  /** Ask for the tree again. */
  async reload(): Promise<void> {
    await super.reload();
    this._syncRules();
  }

  /** The instrument shown (the first one until one is chosen), or null before the tree. */
  get instrument(): ICrdsTreeInstrument | null {
    const tree = this.state.value;
    if (!tree) {
      return null;
    }
    return (
      tree.instruments.find(item => item.instrument === this._instrument) ??
      tree.instruments[0] ??
      null
    );
  }

  /** Show an instrument's reference types. */
  setInstrument(instrument: string): void {
    this._instrument = instrument;
    this._reftype = null;
    this._syncRules();
  }

  /** The reference type chosen, or null. */
  get reftype(): string | null {
    return this._reftype;
  }

  /** Show a reference type's rules. */
  setReftype(reftype: string): void {
    this._reftype = reftype;
    this._syncRules();
  }

  /** The filter text of the reference types. */
  get typeFilter(): string {
    return this._typeFilter;
  }

  setTypeFilter(filter: string): void {
    this._typeFilter = filter;
    this.emitChanged();
  }

  /** The chosen instrument's reference types matching the filter. */
  get types(): ICrdsTreeType[] {
    const needle = this._typeFilter.toLowerCase();
    return (this.instrument?.types ?? []).filter(item =>
      `${item.reftype} ${item.description}`.toLowerCase().includes(needle)
    );
  }

  /** The chosen type's rules, or null when no type with rules is chosen. */
  get rules(): CrdsRulesModel | null {
    return this._rules;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._rules?.dispose();
    super.dispose();
  }

  /** Follow the chosen type: its rules model, asked for when the type changes. */
  private _syncRules(): void {
    const rmap =
      this.instrument?.types.find(item => item.reftype === this._reftype)
        ?.rmap ?? null;
    if (this._rules?.mapping !== rmap) {
      this._rules?.dispose();
      this._rules = rmap
        ? new CrdsRulesModel({ client: this._client, mapping: rmap })
        : null;
    }
    this.emitChanged();
  }

  private readonly _client: IJwstLabClient;
  private _instrument: string | null;
  private _reftype: string | null;
  private _typeFilter = '';
  private _rules: CrdsRulesModel | null = null;
}

/** The namespace for `CrdsTreeModel` statics. */
export namespace CrdsTreeModel {
  /** Options to create a tree. */
  export interface IOptions {
    client: IJwstLabClient;
    context: string;
    /** Instrument and type to open first (e.g. restored from a previous session). */
    initial?: { instrument?: string; reftype?: string };
  }
}
