import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { IEventsConnection } from '../../api/events';
import type { MastRow, MastSource } from '../../api/models';
import {
  CapabilityNote,
  capabilityNotice
} from '../../components/CapabilityNote';
import { EmptyState } from '../../components/EmptyState';
import { mastIcon } from '../../icons';
import { MastBasketModel } from '../../mast/basketModel';
import { MastDownloadModel } from '../../mast/downloadModel';
import { DEFAULT_RADIUS_DEG } from '../../mast/form';
import { MastProductsModel } from '../../mast/productsModel';
import { IMastSavedSearch, MastSearchModel } from '../../mast/searchModel';
import type { TargetQuery } from '../../mast/targetQuery';
import { MastTokenModel } from '../../mast/tokenModel';
import { useModel } from '../../models/useModel';
import { Features, IJwstLabClient, PanelIds } from '../../tokens';
import { JwstLabSidePanel } from '../panel';
import { MastSearchForm } from './searchForm';
import { MastToken } from './token';

/** A search the user submitted: a target to resolve or coordinates, and a cone radius. */
export interface IMastSearchRequest {
  target: Extract<TargetQuery, { kind: 'name' | 'coordinates' }>;
  /** Cone radius in degrees. */
  radius: number;
}

/**
 * The MAST sidebar panel: the search form, a one-line summary of the results
 * (which open in the main-area results document, `resultsRequested`), and
 * the MAST token.
 *
 * Its state is in five models, which the results document shows too:
 * `search`, `products`, `download`, `basket` and `token`.
 * Controls that call the server are enabled only when the server lists the
 * `mast` (search, token) and `downloads` features.
 */
export class MastPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: MastPanel.IOptions) {
    super({
      id: PanelIds.mast,
      label: trans => trans.__('MAST Search'),
      caption: trans =>
        trans.__(
          'MAST Search: find JWST observations by target or coordinates'
        ),
      icon: mastIcon,
      client: options.client,
      translator: options.translator
    });
    const client = options.client;
    this._defaultRadius = options.defaultRadius ?? DEFAULT_RADIUS_DEG;
    this._copy =
      options.copy ?? (text => void navigator.clipboard?.writeText(text));
    this._openFolder = options.openFolder ?? null;
    this._defaultFolder = options.defaultFolder ?? (() => '');
    this.search = new MastSearchModel({
      client,
      defaultRadius: this._defaultRadius,
      trans: this.jwstTrans
    });
    this.products = new MastProductsModel({ client });
    this.download = new MastDownloadModel({
      client,
      events: options.events ?? null
    });
    this.token = new MastTokenModel({ client });
    this.basket = new MastBasketModel();
    // Products of an observation the results no longer list go with them.
    this.search.changed.connect(() => {
      if (this.search.state.value === null && this.products.observation) {
        this.products.close();
        this.download.clearObservations();
      }
    }, this);
    this.addClass('jp-JwstLab-mastPanel');
  }

  /** Products picked across observations, to download at once. */
  readonly basket: MastBasketModel;

  /** The panel's translations (the results document speaks the same). */
  get translations(): TranslationBundle {
    return this.jwstTrans;
  }

  /** Copy text to the clipboard. */
  get copy(): (text: string) => void {
    return this._copy;
  }

  /** Show a folder in the file browser, when the application can. */
  get openFolder(): ((path: string) => void) | null {
    return this._openFolder;
  }

  /** Emitted when the results should be shown: a search was submitted, or "Open" clicked. */
  get resultsRequested(): ISignal<this, void> {
    return this._resultsRequested;
  }

  /** Ask for the results document (the plugin opens or activates it). */
  showResults(): void {
    this._resultsRequested.emit();
  }

  /** Emitted with a product's dataURI when its peek should open (the plugin opens a tab). */
  get peekRequested(): ISignal<this, string> {
    return this._peekRequested;
  }

  /** Ask for the peek of a product (its headers and quick look from the cloud bucket). */
  requestPeek(row: MastRow): void {
    const uri = row.dataURI;
    if (typeof uri === 'string' && uri) {
      this._peekRequested.emit(uri);
    }
  }

  /** The form and the page of observations. */
  readonly search: MastSearchModel;

  /** The open observation's products and the ticked ones. */
  readonly products: MastProductsModel;

  /** The destination folder and the download job. */
  readonly download: MastDownloadModel;

  /** Whether the server holds a MAST token. */
  readonly token: MastTokenModel;

  /** The radius the form starts with, in degrees. */
  get defaultRadius(): number {
    return this._defaultRadius;
  }

  set defaultRadius(degrees: number) {
    if (degrees === this._defaultRadius) {
      return;
    }
    this._defaultRadius = degrees;
    this.search.setDefaultRadius(degrees);
  }

  /** Emitted when the user submits a valid search for a target or coordinates. */
  get searchRequested(): ISignal<this, IMastSearchRequest> {
    return this._searchRequested;
  }

  /**
   * Put back a search saved before a reload and, once the server is known to
   * provide MAST search, run it again at its page.
   */
  async restore(saved: IMastSavedSearch): Promise<void> {
    let run = false;
    try {
      const info = this.client.info ?? (await this.client.getInfo());
      run = info.features.includes(Features.mast);
    } catch {
      run = false;
    }
    await this.search.restore(saved, run);
  }

  /** Open an observation's products; the download folder defaults to the settings' or the file browser's. */
  openObservation(row: MastRow): void {
    this.download.setDefaultDest(this._defaultFolder());
    void this.products.open(row);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.search.dispose();
    this.products.dispose();
    this.download.dispose();
    this.token.dispose();
    this.basket.dispose();
    super.dispose();
  }

  protected renderBody(): React.ReactElement {
    return (
      <MastView
        panel={this}
        trans={this.jwstTrans}
        onSearch={request => this._searchRequested.emit(request)}
      />
    );
  }

  private readonly _copy: (text: string) => void;
  private readonly _openFolder: ((path: string) => void) | null;
  private readonly _defaultFolder: () => string;
  private _defaultRadius: number;
  private _searchRequested = new Signal<this, IMastSearchRequest>(this);
  private _resultsRequested = new Signal<this, void>(this);
  private _peekRequested = new Signal<this, string>(this);
}

/** The namespace for `MastPanel` statics. */
export namespace MastPanel {
  /** Options to create the MAST panel. */
  export interface IOptions {
    client: IJwstLabClient;
    /** Job events, to follow downloads live (the panel polls without them). */
    events?: IEventsConnection | null;
    /** Initial search radius in degrees. */
    defaultRadius?: number;
    /** Copy text to the clipboard (default: the system clipboard). */
    copy?: (text: string) => void;
    /** Show a folder (relative to the server root) in the file browser. */
    openFolder?: (path: string) => void;
    /** The folder downloads go to unless the user picks one (relative to the root). */
    defaultFolder?: () => string;
    translator?: ITranslator;
  }
}

interface IMastViewProps {
  panel: MastPanel;
  trans: TranslationBundle;
  onSearch: (request: IMastSearchRequest) => void;
}

function MastView({ panel, trans, onSearch }: IMastViewProps): JSX.Element {
  const { search, token } = panel;
  const info = useModel(panel.serverInfo).state;
  const error = useModel(search).error;
  const notice = capabilityNotice(
    info,
    Features.mast,
    trans.__('MAST search'),
    trans
  );
  const available = notice === null;

  // Ask whether the server holds a token once it is known to provide MAST.
  React.useEffect(() => {
    if (available && token.state.status === 'idle') {
      void token.refresh();
    }
  }, [available, token]);

  return (
    <div className="jp-JwstLab-mast">
      <MastSearchForm
        model={search}
        trans={trans}
        enabled={available}
        onSearch={request => onSearch(request)}
        onSubmitted={() => {
          // Ticks are of the observations shown: a new search starts without.
          panel.download.clearObservations();
          panel.showResults();
        }}
      />
      <CapabilityNote notice={notice} />
      {error ? (
        <div
          className="jp-JwstLab-banner"
          role="alert"
          data-status={error.status}
        >
          {error.status === 502
            ? trans.__('MAST did not answer as expected: %1', error.message)
            : error.message}
        </div>
      ) : null}
      <MastResultsSummary panel={panel} trans={trans} />
      {available ? <MastToken model={token} trans={trans} /> : null}
    </div>
  );
}

/** The sidebar's line about the results: how many, and the button that shows them. */
function MastResultsSummary({
  panel,
  trans
}: {
  panel: MastPanel;
  trans: TranslationBundle;
}): JSX.Element {
  const search = useModel(panel.search);
  const basket = useModel(panel.basket);
  const result = search.state.value;
  const files = basket.items.length;
  return (
    <section
      className="jp-JwstLab-mastSummary"
      aria-label={trans.__('Search results')}
    >
      {result === null ? (
        search.state.status === 'loading' ? (
          <p className="jp-JwstLab-mastStatus" role="status">
            {trans.__('Searching MAST…')}
          </p>
        ) : (
          <EmptyState
            message={trans.__(
              'Search the MAST archive by target name or coordinates.'
            )}
            details={[
              trans.__(
                'The observations found open in the main area, with their sky footprints and a basket for their products.'
              )
            ]}
          />
        )
      ) : (
        <div className="jp-JwstLab-toolbarRow">
          <span className="jp-JwstLab-mastSummaryCount" role="status">
            {search.state.status === 'loading'
              ? trans.__('Searching MAST…')
              : trans._n('%1 result', '%1 results', result.total)}
          </span>
          <button
            type="button"
            className="jp-JwstLab-mastOpenResults jp-mod-styled"
            onClick={() => panel.showResults()}
          >
            {trans.__('Open')}
          </button>
        </div>
      )}
      {files > 0 ? (
        <p className="jp-JwstLab-mastStatus jp-JwstLab-mastBasketSummary">
          {trans._n('Basket: %1 file', 'Basket: %1 files', files)}
        </p>
      ) : null}
    </section>
  );
}

/**
 * The observations ticked in the results and the button that downloads
 * their uncalibrated exposures, then reduces them to Level 3 as one run.
 */
export function ObservationsToReduce({
  download: model,
  source,
  trans
}: {
  download: MastDownloadModel;
  source: MastSource | undefined;
  trans: TranslationBundle;
}): JSX.Element | null {
  const download = useModel(model);
  const count = download.observations.size;
  if (count === 0) {
    return null;
  }
  return (
    <div className="jp-JwstLab-toolbarRow jp-JwstLab-observationsToReduce">
      <span>
        {trans._n('%1 observation ticked', '%1 observations ticked', count)}
      </span>
      <button
        type="button"
        className="jp-JwstLab-reduceObservations jp-mod-styled jp-mod-accept"
        disabled={download.isBusy}
        title={trans.__(
          'Download their uncalibrated exposures, then reduce them to Level 3 as one run'
        )}
        onClick={() => void download.downloadAndReduce(source)}
      >
        {trans.__('Download and reduce')}
      </button>
      <button
        type="button"
        className="jp-mod-styled"
        onClick={() => download.clearObservations()}
      >
        {trans.__('Clear')}
      </button>
    </div>
  );
}
