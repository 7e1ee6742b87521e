import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastRow, MastSource } from '../../api/models';
import { capabilityNotice } from '../../components/CapabilityNote';
import { EmptyState } from '../../components/EmptyState';
import { mastIcon } from '../../icons';
import { filterByColumns } from '../../mast/columnFilter';
import type { ICone } from '../../mast/footprint';
import { useModel } from '../../models/useModel';
import { listsRuns } from '../../runs/runRecord';
import { Features } from '../../tokens';
import { MastBasket } from './basket';
import { formatCell } from './cells';
import { MastDownload } from './download';
import { SkyFootprints } from './footprint';
import type { MastPanel } from './panel';
import { ObservationsToReduce } from './panel';
import { peekNotice } from './peek';
import { MastProducts } from './products';
import { MastResults, MastResultsToolbar, observationKey } from './results';

/** Height of a results row, pixels (the grid's `rowHeight`). */
const ROW_HEIGHT = 24;

/**
 * The MAST results document in the main area (one, reused by every search):
 * the wide grid of observations, their sky footprints, the selected
 * observation's products and the basket. Its state is the MAST panel's
 * models, so it shows the last search again after a page reload.
 */
export class MastResultsDocument extends MainAreaWidget<ReactWidget> {
  /** Create the document on the panel's models. */
  constructor(options: MastResultsDocument.IOptions) {
    const { panel } = options;
    const trans = panel.translations;
    const content = ReactWidget.create(
      <MastResultsView panel={panel} trans={trans} copy={options.copy} />
    );
    content.addClass('jp-JwstLab-mastResultsContent');
    super({ content });
    this.id = MastResultsDocument.ID;
    this.addClass('jp-JwstLab-mastResultsDoc');
    this.title.icon = mastIcon;
    this.title.closable = true;
    this._panel = panel;
    this._trans = trans;
    this._setTitle();
    panel.search.changed.connect(this._setTitle, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._panel.search.changed.disconnect(this._setTitle, this);
    super.dispose();
  }

  /** "MAST: <target>" (or the program, or "results"). */
  private _setTitle(): void {
    const params = this._panel.search.params;
    const what =
      params?.target ??
      (params?.ra !== undefined && params?.ra !== null
        ? `${params.ra} ${params.dec}`
        : params?.proposal_id
          ? this._trans.__('program %1', params.proposal_id)
          : this._trans.__('results'));
    this.title.label = this._trans.__('MAST: %1', what);
    this.title.caption = this._trans.__('MAST search results: %1', what);
  }

  private readonly _panel: MastPanel;
  private readonly _trans: TranslationBundle;
}

/** The namespace for `MastResultsDocument` statics. */
export namespace MastResultsDocument {
  /** The document's widget id (there is one). */
  export const ID = 'jwst-lab-mast-results';

  /** Options to create the document. */
  export interface IOptions {
    panel: MastPanel;
    copy: (text: string) => void;
  }
}

/** The cone of a search result as the footprint view takes it. */
function coneOf(value: unknown): ICone | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const { ra, dec, radius } = value as Record<string, unknown>;
  return typeof ra === 'number' &&
    typeof dec === 'number' &&
    typeof radius === 'number'
    ? { ra, dec, radius }
    : null;
}

function MastResultsView({
  panel,
  trans,
  copy
}: {
  panel: MastPanel;
  trans: TranslationBundle;
  copy: (text: string) => void;
}): JSX.Element {
  const search = useModel(panel.search);
  const products = useModel(panel.products);
  useModel(panel.basket);
  const info = useModel(panel.serverInfo).state;
  const host = React.useRef<HTMLDivElement>(null);
  const result = search.state.value;
  const sorted = search.rows;
  const filters = search.filters;
  const rows = React.useMemo(
    () => filterByColumns(sorted, filters, formatCell),
    [sorted, filters]
  );
  const cone = React.useMemo(() => coneOf(result?.cone), [result?.cone]);
  const observation = products.observation;
  const selected = observation ? observationKey(observation) : null;
  const downloadsNotice = capabilityNotice(
    info,
    Features.downloads,
    trans.__('downloads'),
    trans
  );
  const canReduce =
    downloadsNotice === null &&
    info.value !== null &&
    listsRuns(info.value.features);
  const peek = React.useMemo(
    () => ({
      notice: peekNotice(info, trans),
      open: (row: MastRow) => panel.requestPeek(row)
    }),
    [info, trans, panel]
  );
  // The basket, and the download form / progress: the same wherever they show.
  const basketView = (
    <MastBasket
      basket={panel.basket}
      download={panel.download}
      trans={trans}
      copy={copy}
      notice={downloadsNotice}
    />
  );
  const downloadView = (source: MastSource | undefined) => (
    <MastDownload
      model={panel.download}
      products={panel.products}
      source={source}
      trans={trans}
      copy={copy}
      notice={downloadsNotice}
      openFolder={panel.openFolder}
      canReduce={canReduce}
    />
  );

  const select = (row: MastRow) => {
    if (observationKey(row) !== selected) {
      panel.openObservation(row);
    }
  };
  // A footprint clicked: select its row and bring it into the grid's view.
  const selectFromSky = (row: MastRow) => {
    select(row);
    const index = rows.indexOf(row);
    const scroller = host.current?.querySelector<HTMLElement>(
      '.jp-JwstLab-mastTable'
    );
    if (scroller && index >= 0) {
      const top = index * ROW_HEIGHT;
      const visible = scroller.clientHeight - 2 * ROW_HEIGHT;
      if (top < scroller.scrollTop || top > scroller.scrollTop + visible) {
        scroller.scrollTop = Math.max(0, top - visible / 2);
      }
    }
  };

  if (result === null) {
    return (
      <div className="jp-JwstLab-mastResultsView" ref={host}>
        {search.state.status === 'loading' ? (
          <p className="jp-JwstLab-mastStatus" role="status">
            {trans.__('Searching MAST…')}
          </p>
        ) : (
          <EmptyState
            message={
              search.state.status === 'error'
                ? trans.__('The last search found nothing to show.')
                : trans.__('No search yet.')
            }
            details={[
              trans.__(
                'Search by target name or coordinates in the MAST Search panel of the left sidebar; the observations found are listed here.'
              )
            ]}
          />
        )}
        {panel.basket.items.length > 0 ? (
          <div className="jp-JwstLab-mastResultsSide">
            {basketView}
            {downloadView(panel.basket.source ?? undefined)}
          </div>
        ) : null}
      </div>
    );
  }

  return (
    <div
      className="jp-JwstLab-mastResultsView"
      ref={host}
      aria-busy={search.state.status === 'loading'}
    >
      <MastResultsToolbar
        search={panel.search}
        trans={trans}
        copy={copy}
        shown={rows.length}
      />
      {result.notice ? (
        <p className="jp-JwstLab-mastNotice" role="note">
          {result.notice}
        </p>
      ) : null}
      {canReduce ? (
        <ObservationsToReduce
          download={panel.download}
          source={search.params?.source ?? result.source}
          trans={trans}
        />
      ) : null}
      <div className="jp-JwstLab-mastResultsBody">
        <div className="jp-JwstLab-mastResultsMain">
          <section
            className="jp-JwstLab-mastResults"
            aria-label={trans.__('Search results')}
          >
            <MastResults
              search={panel.search}
              rows={rows}
              trans={trans}
              selected={selected}
              onSelect={select}
              download={panel.download}
              selectable={canReduce}
            />
          </section>
          {observation ? (
            <div className="jp-JwstLab-mastResultsProducts">
              <MastProducts
                model={panel.products}
                trans={trans}
                copy={copy}
                basket={panel.basket}
                height={6 * ROW_HEIGHT + 4}
                peek={peek}
              />
              {downloadView(products.state.value?.source ?? result.source)}
            </div>
          ) : null}
        </div>
        <aside className="jp-JwstLab-mastResultsSide">
          <section
            className="jp-JwstLab-mastSky"
            aria-label={trans.__('Sky footprints')}
          >
            <h3 className="jp-JwstLab-sectionTitle">
              {trans.__('Footprints')}
              {cone ? (
                <span className="jp-JwstLab-mastStatus">
                  {' '}
                  {trans.__('· dashed: the search cone')}
                </span>
              ) : null}
            </h3>
            <SkyFootprints
              rows={rows}
              cone={cone}
              selected={selected}
              onSelect={selectFromSky}
              trans={trans}
            />
          </section>
          {basketView}
          {
            // The progress of a basket's download (no observation's form to show).
            observation ? null : downloadView(result.source)
          }
        </aside>
      </div>
    </div>
  );
}
