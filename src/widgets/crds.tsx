import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import * as React from 'react';

import type { ICrdsInfo } from '../api/types';
import type { ICrdsContext, ICrdsStatus } from '../api/crdsTypes';
import { CapabilityNote } from '../components/CapabilityNote';
import { EmptyState } from '../components/EmptyState';
import { StatusBadge, StatusTone } from '../components/StatusBadge';
import { crdsIcon } from '../icons';
import {
  Features,
  IJwstLabClient,
  PanelIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { JwstLabSidePanel } from './panel';
import { capabilityNotice, ServerInfoState, useServerInfo } from './serverInfo';
import { LoadState, useLoad } from './crds/views';

/**
 * The CRDS sidebar panel: how the server finds calibration reference files.
 */
export class CrdsPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: CrdsPanel.IOptions) {
    const translator = options.translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    super({
      id: PanelIds.crds,
      label: trans.__('CRDS References'),
      caption: trans.__(
        'CRDS References: calibration contexts and reference files'
      ),
      icon: crdsIcon,
      translator
    });
    this._client = options.client;
    this._jwstTrans = trans;
    this._actions = {
      openContext: options.onOpenContext ?? (() => undefined),
      openDiff: options.onOpenDiff ?? (() => undefined)
    };
  }

  protected renderBody(): React.ReactElement {
    return (
      <CrdsView
        client={this._client}
        trans={this._jwstTrans}
        actions={this._actions}
      />
    );
  }

  private readonly _client: IJwstLabClient;
  private readonly _jwstTrans: TranslationBundle;
  private readonly _actions: ICrdsActions;
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
  client: IJwstLabClient;
  trans: TranslationBundle;
  actions: ICrdsActions;
}

function CrdsView({ client, trans, actions }: ICrdsViewProps): JSX.Element {
  const { state, retry } = useServerInfo(client);
  if (state.status === 'ready' && state.info.features.includes(Features.crds)) {
    return <CrdsBrowser client={client} trans={trans} actions={actions} />;
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
      <CrdsStatus state={state} retry={retry} trans={trans} />
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
  state: ServerInfoState;
  retry: () => void;
  trans: TranslationBundle;
}

function CrdsStatus({ state, retry, trans }: ICrdsStatusProps): JSX.Element {
  if (state.status === 'loading') {
    return (
      <div className="jp-JwstLab-crdsStatus" role="status" data-tone="pending">
        <StatusBadge tone="pending">
          {trans.__('Checking CRDS configuration…')}
        </StatusBadge>
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="jp-JwstLab-crdsStatus" role="status" data-tone="error">
        <StatusBadge tone="error">
          {trans.__('Cannot read the CRDS configuration: %1', state.message)}
        </StatusBadge>
        <button
          type="button"
          className="jp-JwstLab-retry jp-mod-styled"
          onClick={retry}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  const crds = state.info.crds;
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

function CrdsBrowser({ client, trans, actions }: ICrdsViewProps): JSX.Element {
  const [status, retryStatus] = useLoad(() => client.getCrdsStatus(), [client]);
  const usable = status.status === 'ready' && status.value.usable;
  return (
    <div className="jp-JwstLab-crds">
      {status.status === 'ready' ? (
        <CrdsLiveStatus
          status={status.value}
          trans={trans}
          retry={retryStatus}
        />
      ) : status.status === 'loading' ? (
        <div
          className="jp-JwstLab-crdsStatus"
          role="status"
          data-tone="pending"
        >
          <StatusBadge tone="pending">
            {trans.__('Checking CRDS configuration…')}
          </StatusBadge>
        </div>
      ) : (
        <div className="jp-JwstLab-crdsStatus" role="status" data-tone="error">
          <StatusBadge tone="error">
            {trans.__('Cannot read the CRDS status: %1', status.message)}
          </StatusBadge>
          <button
            type="button"
            className="jp-JwstLab-retry jp-mod-styled"
            onClick={retryStatus}
          >
            {trans.__('Retry')}
          </button>
        </div>
      )}
      {usable && (
        <ContextList client={client} trans={trans} actions={actions} />
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
                '(%1 mappings, %2 references%3)',
                status.cache.mappings,
                status.cache.references,
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
        <button
          type="button"
          className="jp-JwstLab-retry jp-mod-styled"
          onClick={retry}
        >
          {trans.__('Check again')}
        </button>
      )}
    </div>
  );
}

/** Contexts shown before "Show more". */
const PAGE = 100;

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

function ContextList({ client, trans, actions }: ICrdsViewProps): JSX.Element {
  const [state, retry] = useLoad(() => client.listCrdsContexts(), [client]);
  const [filter, setFilter] = React.useState('');
  const [limit, setLimit] = React.useState(PAGE);
  const [chosen, setChosen] = React.useState<string[]>([]);
  if (state.status !== 'ready') {
    return (
      <LoadState
        state={state}
        retry={retry}
        loading={trans.__('Reading the context history…')}
        trans={trans}
      />
    );
  }
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = state.value.contexts.filter(row => {
    const text =
      `${row.context} ${row.date ?? ''} ${row.description ?? ''} ${row.status}`.toLowerCase();
    return words.every(word => text.includes(word));
  });
  const shown = matches.slice(0, limit);
  const toggle = (context: string) =>
    setChosen(current =>
      current.includes(context)
        ? current.filter(c => c !== context)
        : [...current.slice(-1), context]
    );
  const compare = () => {
    if (chosen.length === 2) {
      const [older, newer] = orderContexts(chosen[0], chosen[1]);
      actions.openDiff(older, newer);
    }
  };
  return (
    <section className="jp-JwstLab-crdsContextsSection">
      <h3 className="jp-JwstLab-crdsSectionTitle">
        {trans.__(
          'Contexts (%1 in the history, from the %2)',
          state.value.history_count,
          state.value.source === 'server'
            ? trans.__('CRDS server')
            : trans.__('cache')
        )}
      </h3>
      <form
        className="jp-JwstLab-crdsCompareForm"
        onSubmit={event => {
          event.preventDefault();
          compare();
        }}
      >
        <label className="jp-JwstLab-crdsFilter">
          <span>{trans.__('Filter contexts')}</span>
          <input
            type="search"
            className="jp-mod-styled jp-JwstLab-crdsContextSearch"
            value={filter}
            onChange={event => {
              setFilter(event.currentTarget.value);
              setLimit(PAGE);
            }}
            placeholder={trans.__('0541, NIRSpec, 2019…')}
          />
        </label>
        <button
          type="submit"
          className="jp-mod-styled jp-JwstLab-crdsCompare"
          disabled={chosen.length !== 2}
          title={trans.__('Tick two contexts to see what changed between them')}
        >
          {chosen.length === 2
            ? trans.__(
                'Compare %1 and %2',
                ...orderContexts(chosen[0], chosen[1])
              )
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
              onToggle={() => toggle(row.context)}
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
          onClick={() => setLimit(limit + PAGE)}
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
  onToggle,
  onOpen,
  trans
}: {
  row: ICrdsContext;
  chosen: boolean;
  onToggle: () => void;
  onOpen: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const [open, setOpen] = React.useState(false);
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
              onClick={() => setOpen(!open)}
            >
              {open ? trans.__('Less') : trans.__('More')}
            </button>
          )}
        </p>
      )}
    </li>
  );
}
