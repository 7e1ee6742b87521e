import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ICrdsContext, ICrdsStatus } from '../../api/models';
import type { ICrdsInfo, IServerInfo } from '../../api/models';
import {
  CapabilityNote,
  capabilityNotice
} from '../../components/CapabilityNote';
import { EmptyState } from '../../components/EmptyState';
import { RetryButton } from '../../components/RetryButton';
import { StatusBadge, StatusTone } from '../../components/StatusBadge';
import { CrdsBrowserModel } from '../../crds/browserModel';
import type { CrdsContextsModel } from '../../crds/contextsModel';
import { crdsIcon } from '../../icons';
import type { ILoadable } from '../../models/loadable';
import { useModel } from '../../models/useModel';
import { plural } from '../../translation';
import { Features, IJwstLabClient, PanelIds } from '../../tokens';
import { JwstLabSidePanel } from '../panel';
import { LoadState } from './loadState';
import { SearchField } from './searchField';

/**
 * The CRDS sidebar panel: how the server finds calibration reference files.
 */
export class CrdsPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: CrdsPanel.IOptions) {
    super({
      id: PanelIds.crds,
      label: trans => trans.__('CRDS References'),
      caption: trans =>
        trans.__('CRDS References: calibration contexts and reference files'),
      icon: crdsIcon,
      client: options.client,
      translator: options.translator
    });
    this._actions = {
      openContext: options.onOpenContext ?? (() => undefined),
      openDiff: options.onOpenDiff ?? (() => undefined)
    };
    this.serverInfo.changed.connect(this._onInfo, this);
    this._onInfo();
  }

  /** The CRDS browser, once the server is known to provide it; null before. */
  get browser(): CrdsBrowserModel | null {
    return this._browser;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._browser?.dispose();
    super.dispose();
  }

  protected renderBody(): React.ReactElement {
    return (
      <CrdsView panel={this} trans={this.jwstTrans} actions={this._actions} />
    );
  }

  private _onInfo(): void {
    if (!this._browser && this.serverInfo.hasFeature(Features.crds)) {
      this._browser = new CrdsBrowserModel({ client: this.client });
    }
  }

  private readonly _actions: ICrdsActions;
  private _browser: CrdsBrowserModel | null = null;
}

/** What the sidebar asks the application to open in the main area. */
export interface ICrdsActions {
  /** Open the tree of a context. */
  openContext: (context: string) => void;
  /** Open the diff between two contexts (older first). */
  openDiff: (oldContext: string, newContext: string) => void;
}

/** The namespace for `CrdsPanel` statics. */
export namespace CrdsPanel {
  /** Options to create the CRDS panel. */
  export interface IOptions {
    client: IJwstLabClient;
    translator?: ITranslator;
    /** Open a context's tree in the main area. */
    onOpenContext?: (context: string) => void;
    /** Open the diff of two contexts in the main area. */
    onOpenDiff?: (oldContext: string, newContext: string) => void;
  }
}

/**
 * The colour of a CRDS configuration: green when reference files can be found
 * (a cache folder, or a CRDS server), amber when neither is configured.
 */
export function crdsTone(crds: ICrdsInfo): StatusTone {
  return crds.path !== null || crds.mode !== 'serverless' ? 'ok' : 'warn';
}

interface ICrdsViewProps {
  panel: CrdsPanel;
  trans: TranslationBundle;
  actions: ICrdsActions;
}

function CrdsView({ panel, trans, actions }: ICrdsViewProps): JSX.Element {
  const serverInfo = useModel(panel.serverInfo);
  const state = serverInfo.state;
  const browser = panel.browser;
  if (browser && state.value?.features.includes(Features.crds)) {
    return <CrdsBrowser model={browser} trans={trans} actions={actions} />;
  }
  // An unreachable server is already explained by the status line.
  const notice =
    state.status === 'error'
      ? null
      : capabilityNotice(
          state,
          Features.crds,
          trans.__('the CRDS browser'),
          trans
        );
  return (
    <div className="jp-JwstLab-crds">
      <CrdsStatus
        state={state}
        retry={() => serverInfo.retry()}
        trans={trans}
      />
      <CapabilityNote notice={notice} />
      <EmptyState
        message={trans.__(
          'Contexts appear here when the server provides the CRDS browser.'
        )}
        details={[
          trans.__(
            'Each context lists the reference files CRDS selects for your exposures.'
          )
        ]}
      />
    </div>
  );
}

interface ICrdsStatusProps {
  state: ILoadable<IServerInfo>;
  retry: () => void;
  trans: TranslationBundle;
}

/**
 * The status line while the request that tells CRDS's state is under way, or
 * why it failed (with Retry).
 */
function CrdsStatusRequest({
  state,
  failure,
  retry,
  trans
}: {
  state: ILoadable<unknown>;
  /** The failure's text, from the server's message. */
  failure: (message: string) => string;
  retry: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  if (state.status === 'error') {
    return (
      <div className="jp-JwstLab-crdsStatus" role="status" data-tone="error">
        <StatusBadge tone="error">
          {failure(state.error?.message ?? '')}
        </StatusBadge>
        <RetryButton onClick={retry} trans={trans} />
      </div>
    );
  }
  return (
    <div className="jp-JwstLab-crdsStatus" role="status" data-tone="pending">
      <StatusBadge tone="pending">
        {trans.__('Checking CRDS configuration…')}
      </StatusBadge>
    </div>
  );
}

function CrdsStatus({ state, retry, trans }: ICrdsStatusProps): JSX.Element {
  const info = state.value;
  if (state.status === 'error' || info === null) {
    return (
      <CrdsStatusRequest
        state={state}
        failure={message =>
          trans.__('Cannot read the CRDS configuration: %1', message)
        }
        retry={retry}
        trans={trans}
      />
    );
  }
  const crds = info.crds;
  const tone = crdsTone(crds);
  return (
    <div className="jp-JwstLab-crdsStatus" role="status" data-tone={tone}>
      <StatusBadge tone={tone}>{describeMode(crds, trans)}</StatusBadge>
      <dl className="jp-JwstLab-crdsDetails">
        <dt>{trans.__('Context')}</dt>
        <dd>{describeContext(crds, trans)}</dd>
        <dt>{trans.__('Cache')}</dt>
        <dd>{crds.path ?? trans.__('no cache configured')}</dd>
        {crds.server_url !== null && (
          <>
            <dt>{trans.__('Server')}</dt>
            <dd>{crds.server_url}</dd>
          </>
        )}
      </dl>
      {tone === 'warn' && (
        <p className="jp-JwstLab-crdsFix">
          {trans.__(
            'Without a cache folder CRDS cannot find reference files: set c.JwstLabApp.crds_path or the CRDS_PATH environment variable, then restart the server.'
          )}
        </p>
      )}
    </div>
  );
}

function describeMode(crds: ICrdsInfo, trans: TranslationBundle): string {
  if (crds.mode === 'serverless') {
    return trans.__('Mode: serverless (no CRDS server, cache only)');
  }
  return trans.__('Mode: %1', crds.mode);
}

function describeContext(crds: ICrdsInfo, trans: TranslationBundle): string {
  if (crds.context === null) {
    return trans.__('operational context');
  }
  switch (crds.context_source) {
    case 'configured':
      return trans.__('%1 (pinned in the server configuration)', crds.context);
    case 'environment':
      return trans.__('%1 (from CRDS_CONTEXT)', crds.context);
    case 'operational':
      return trans.__('%1 (operational)', crds.context);
  }
}

// --- the CRDS browser (servers with the `crds` feature) --------------------------

/** The colour of a CRDS status: green, amber (works, with a warning) or red. */
export function statusTone(status: ICrdsStatus): StatusTone {
  if (!status.usable) {
    return 'error';
  }
  return status.ok ? 'ok' : 'warn';
}

const REASONS: Record<string, string> = {
  pinned: 'pinned',
  operational: 'operational',
  'latest cached': 'latest cached',
  none: 'none'
};

function CrdsBrowser({
  model: browserModel,
  trans,
  actions
}: {
  model: CrdsBrowserModel;
  trans: TranslationBundle;
  actions: ICrdsActions;
}): JSX.Element {
  const model = useModel(browserModel);
  // Ask for CRDS's status once the panel shows the browser.
  React.useEffect(() => model.start(), [model]);
  const status = model.status.state;
  const retryStatus = () => void model.status.reload();
  const usable = status.status === 'ready' && status.value?.usable === true;
  const contexts = model.contexts;
  return (
    <div className="jp-JwstLab-crds">
      {status.status === 'ready' && status.value ? (
        <CrdsLiveStatus
          status={status.value}
          trans={trans}
          retry={retryStatus}
        />
      ) : (
        <CrdsStatusRequest
          state={status}
          failure={message =>
            trans.__('Cannot read the CRDS status: %1', message)
          }
          retry={retryStatus}
          trans={trans}
        />
      )}
      {usable && contexts && (
        <ContextList model={contexts} trans={trans} actions={actions} />
      )}
    </div>
  );
}

function CrdsLiveStatus({
  status,
  trans,
  retry
}: {
  status: ICrdsStatus;
  trans: TranslationBundle;
  retry: () => void;
}): JSX.Element {
  const tone = statusTone(status);
  const label =
    tone === 'ok'
      ? trans.__('CRDS ready: %1', status.context ?? '')
      : tone === 'warn'
        ? trans.__('CRDS works, with a warning')
        : trans.__('CRDS cannot be used');
  return (
    <div className="jp-JwstLab-crdsStatus" role="status" data-tone={tone}>
      <StatusBadge tone={tone}>{label}</StatusBadge>
      <dl className="jp-JwstLab-crdsDetails">
        <dt>{trans.__('Mode')}</dt>
        <dd>{status.mode}</dd>
        <dt>{trans.__('Context')}</dt>
        <dd className="jp-JwstLab-crdsEffective">
          {status.context
            ? trans.__(
                '%1 (%2)',
                status.context,
                trans.__(
                  REASONS[status.context_reason] ?? status.context_reason
                )
              )
            : trans.__('none')}
        </dd>
        <dt>{trans.__('Cache')}</dt>
        <dd>
          {status.cache.path ?? trans.__('no cache configured')}
          {status.cache.usable &&
            ' ' +
              trans.__(
                '(%1, %2%3)',
                plural(
                  trans,
                  status.cache.mappings,
                  '%1 mapping',
                  '%1 mappings'
                ),
                plural(
                  trans,
                  status.cache.references,
                  '%1 reference',
                  '%1 references'
                ),
                status.cache.readonly ? trans.__(', read-only') : ''
              )}
        </dd>
        {status.server.configured && (
          <>
            <dt>{trans.__('Server')}</dt>
            <dd>
              {status.server.url}{' '}
              {status.server.reachable
                ? trans.__('(answers)')
                : trans.__('(does not answer)')}
            </dd>
          </>
        )}
      </dl>
      {status.problems.map(problem => (
        <p className="jp-JwstLab-crdsFix" key={problem}>
          {problem}
        </p>
      ))}
      {tone !== 'ok' && (
        <RetryButton
          onClick={retry}
          trans={trans}
          label={trans.__('Check again')}
        />
      )}
    </div>
  );
}

function ContextList({
  model: contextsModel,
  trans,
  actions
}: {
  model: CrdsContextsModel;
  trans: TranslationBundle;
  actions: ICrdsActions;
}): JSX.Element {
  const model = useModel(contextsModel);
  const state = model.state;
  const list = state.value;
  if (state.status !== 'ready' || !list) {
    return (
      <LoadState
        model={model}
        loading={trans.__('Reading the context history…')}
        trans={trans}
      />
    );
  }
  const filter = model.filter;
  const matches = model.matches;
  const shown = matches.slice(0, model.limit);
  const chosen = model.chosen;
  const comparison = model.comparison;
  const compare = () => {
    if (comparison) {
      actions.openDiff(...comparison);
    }
  };
  return (
    <section className="jp-JwstLab-crdsContextsSection">
      <h3 className="jp-JwstLab-crdsSectionTitle">
        {trans.__(
          'Contexts (%1 in the history, from the %2)',
          list.history_count,
          list.source === 'server' ? trans.__('CRDS server') : trans.__('cache')
        )}
      </h3>
      <form
        className="jp-JwstLab-crdsCompareForm"
        onSubmit={event => {
          event.preventDefault();
          compare();
        }}
      >
        <SearchField
          label={trans.__('Filter contexts')}
          className="jp-JwstLab-crdsContextSearch"
          value={filter}
          onChange={value => model.setFilter(value)}
          placeholder={trans.__('0541, NIRSpec, 2019…')}
        />
        <button
          type="submit"
          className="jp-mod-styled jp-JwstLab-crdsCompare"
          disabled={comparison === null}
          title={trans.__('Tick two contexts to see what changed between them')}
        >
          {comparison
            ? trans.__('Compare %1 and %2', ...comparison)
            : trans.__('Compare two contexts (%1 of 2 ticked)', chosen.length)}
        </button>
      </form>
      {shown.length === 0 ? (
        <EmptyState message={trans.__('No context matches "%1".', filter)} />
      ) : (
        <ul
          className="jp-JwstLab-crdsContexts"
          aria-label={trans.__('Contexts')}
        >
          {shown.map(row => (
            <ContextItem
              key={row.context}
              row={row}
              chosen={chosen.includes(row.context)}
              unfolded={model.isUnfolded(row.context)}
              onToggle={() => model.toggleChosen(row.context)}
              onUnfold={() => model.toggleUnfolded(row.context)}
              onOpen={() => actions.openContext(row.context)}
              trans={trans}
            />
          ))}
        </ul>
      )}
      {matches.length > shown.length && (
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-crdsMore"
          onClick={() => model.showMore()}
        >
          {trans.__('Show more (%1 of %2 shown)', shown.length, matches.length)}
        </button>
      )}
    </section>
  );
}

/** Descriptions longer than this are folded behind "More". */
const SHORT = 90;

function ContextItem({
  row,
  chosen,
  unfolded: open,
  onToggle,
  onUnfold,
  onOpen,
  trans
}: {
  row: ICrdsContext;
  chosen: boolean;
  unfolded: boolean;
  onToggle: () => void;
  onUnfold: () => void;
  onOpen: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const description = row.description ?? '';
  const long = description.length > SHORT;
  return (
    <li
      className="jp-JwstLab-crdsContext"
      data-context={row.context}
      data-status={row.status}
    >
      <div className="jp-JwstLab-crdsContextLine">
        <input
          type="checkbox"
          className="jp-JwstLab-crdsContextPick"
          checked={chosen}
          onChange={onToggle}
          aria-label={trans.__('Compare %1', row.context)}
        />
        <button
          type="button"
          className="jp-JwstLab-crdsContextOpen"
          onClick={onOpen}
          disabled={!row.cached}
          title={
            row.cached
              ? trans.__('Open the rules of %1', row.context)
              : trans.__('%1 is not in the cache', row.context)
          }
        >
          {row.context}
        </button>
        {row.status === 'operational' && (
          <span className="jp-JwstLab-crdsBadge" data-kind="operational">
            {trans.__('operational')}
          </span>
        )}
        {row.effective && row.status !== 'operational' && (
          <span className="jp-JwstLab-crdsBadge" data-kind="effective">
            {trans.__('in use')}
          </span>
        )}
        {row.status === 'not cached' && (
          <span className="jp-JwstLab-crdsBadge" data-kind="missing">
            {trans.__('not cached')}
          </span>
        )}
        {!row.in_history && (
          <span className="jp-JwstLab-crdsBadge" data-kind="extra">
            {trans.__('not in history')}
          </span>
        )}
        {row.date && (
          <time
            className="jp-JwstLab-crdsDate"
            dateTime={row.date.replace(' ', 'T')}
          >
            {row.date.slice(0, 10)}
          </time>
        )}
      </div>
      {description && (
        <p
          className="jp-JwstLab-crdsContextDescription"
          data-open={open || !long}
        >
          {open || !long ? description : description.slice(0, SHORT) + '…'}{' '}
          {long && (
            <button
              type="button"
              className="jp-JwstLab-crdsExpand"
              aria-expanded={open}
              onClick={onUnfold}
            >
              {open ? trans.__('Less') : trans.__('More')}
            </button>
          )}
        </p>
      )}
    </li>
  );
}
