import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import * as React from 'react';

import type {
  ICrdsBestref,
  ICrdsBestrefs,
  ICrdsDiff,
  ICrdsMapping,
  ICrdsStatus,
  ICrdsTree
} from '../../api/crdsTypes';
import type { IJobRecord } from '../../api/types';
import { crdsIcon } from '../../icons';
import { Features, IJwstLabClient } from '../../tokens';
import { filterRows, VirtualTable } from './VirtualTable';

/** The state of a request made by a view. */
export type Loadable<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'error'; message: string };

/** Run `load` when its dependencies change; the latest answer wins. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: React.DependencyList
): [Loadable<T>, () => void] {
  const [state, setState] = React.useState<Loadable<T>>({
    status: 'loading'
  });
  const [attempt, setAttempt] = React.useState(0);
  React.useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      value => current && setState({ status: 'ready', value }),
      (error: unknown) =>
        current &&
        setState({
          status: 'error',
          message: error instanceof Error ? error.message : String(error)
        })
    );
    return () => {
      current = false;
    };
  }, [...deps, attempt]);
  return [state, () => setAttempt(n => n + 1)];
}

/** A loading line, or the error with a retry button. */
export function LoadState({
  state,
  retry,
  loading,
  trans
}: {
  state: Loadable<unknown>;
  retry: () => void;
  loading: string;
  trans: TranslationBundle;
}): JSX.Element | null {
  if (state.status === 'loading') {
    return (
      <div className="jp-JwstLab-crdsLoading" role="status">
        <progress aria-label={loading} />
        <span>{loading}</span>
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="jp-JwstLab-crdsError" role="alert">
        <span>{state.message}</span>
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
  return null;
}

// --- context tree ----------------------------------------------------------------

interface ITreeViewProps {
  client: IJwstLabClient;
  context: string;
  trans: TranslationBundle;
  /** Instrument and type to open first (e.g. restored from a previous session). */
  initial?: { instrument?: string; reftype?: string };
}

/** A context's instruments → reference types → the selected type's rules. */
export function CrdsTreeView({
  client,
  context,
  trans,
  initial
}: ITreeViewProps): JSX.Element {
  const [state, retry] = useLoad(() => client.getCrdsTree(context), [context]);
  const [instrument, setInstrument] = React.useState<string | null>(
    initial?.instrument ?? null
  );
  const [reftype, setReftype] = React.useState<string | null>(
    initial?.reftype ?? null
  );
  const [typeFilter, setTypeFilter] = React.useState('');

  if (state.status !== 'ready') {
    return (
      <div className="jp-JwstLab-crdsTree">
        <LoadState
          state={state}
          retry={retry}
          loading={trans.__('Loading %1…', context)}
          trans={trans}
        />
      </div>
    );
  }
  const tree: ICrdsTree = state.value;
  const chosen =
    tree.instruments.find(i => i.instrument === instrument) ??
    tree.instruments[0];
  const types = chosen
    ? chosen.types.filter(t =>
        `${t.reftype} ${t.description}`
          .toLowerCase()
          .includes(typeFilter.toLowerCase())
      )
    : [];
  const selected = chosen?.types.find(t => t.reftype === reftype) ?? null;

  return (
    <div className="jp-JwstLab-crdsTree" data-context={tree.context}>
      <header className="jp-JwstLab-crdsViewHeader">
        <h2>{tree.context}</h2>
        <p>
          {trans.__(
            '%1 instruments, %2 reference mappings, %3 reference files',
            tree.counts.imaps,
            tree.counts.rmaps,
            tree.counts.references.toLocaleString('en-US')
          )}
          {tree.header.derived_from &&
            ' · ' + trans.__('derived from %1', tree.header.derived_from)}
        </p>
        {tree.header.description && (
          <p className="jp-JwstLab-crdsDescription">
            {tree.header.description}
          </p>
        )}
      </header>
      <div
        className="jp-JwstLab-crdsInstruments"
        role="tablist"
        aria-label={trans.__('Instruments')}
      >
        {tree.instruments.map(item => (
          <button
            key={item.instrument}
            type="button"
            role="tab"
            aria-selected={item === chosen}
            className="jp-JwstLab-crdsInstrument jp-mod-styled"
            data-instrument={item.instrument}
            title={item.imap}
            onClick={() => {
              setInstrument(item.instrument);
              setReftype(null);
            }}
          >
            {item.instrument.toUpperCase()}
          </button>
        ))}
      </div>
      <div className="jp-JwstLab-crdsTreeBody">
        <div className="jp-JwstLab-crdsTypes">
          <label className="jp-JwstLab-crdsFilter">
            <span>{trans.__('Filter types')}</span>
            <input
              type="search"
              className="jp-mod-styled jp-JwstLab-crdsTypeSearch"
              value={typeFilter}
              onChange={event => setTypeFilter(event.currentTarget.value)}
              placeholder={trans.__('dark, flat…')}
            />
          </label>
          <ul
            aria-label={trans.__('Reference types of %1', chosen?.imap ?? '')}
          >
            {types.map(item => (
              <li key={item.reftype}>
                <button
                  type="button"
                  className="jp-JwstLab-crdsType"
                  data-reftype={item.reftype}
                  data-status={item.status}
                  aria-pressed={item.reftype === reftype}
                  disabled={item.rmap === null}
                  onClick={() => setReftype(item.reftype)}
                  title={item.rmap ?? trans.__('not used by this instrument')}
                >
                  <span className="jp-JwstLab-crdsTypeName">
                    {item.reftype}
                  </span>
                  <span className="jp-JwstLab-crdsTypeDescription">
                    {item.description}
                  </span>
                  <span className="jp-JwstLab-crdsTypeRules">
                    {item.rmap === null
                      ? item.status
                      : trans._n('%1 rule', '%1 rules', item.rules)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="jp-JwstLab-crdsRulesPane">
          {selected?.rmap ? (
            <CrdsRules
              client={client}
              mapping={selected.rmap}
              trans={trans}
              key={selected.rmap}
            />
          ) : (
            <p className="jp-JwstLab-crdsHint">
              {trans.__('Choose a reference type to read its selection rules.')}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}

/** One rmap: its header and its rules as a searchable, virtualised table. */
export function CrdsRules({
  client,
  mapping,
  trans
}: {
  client: IJwstLabClient;
  mapping: string;
  trans: TranslationBundle;
}): JSX.Element {
  const [state, retry] = useLoad(
    () => client.getCrdsMapping(mapping),
    [mapping]
  );
  const [search, setSearch] = React.useState('');
  const rows = React.useMemo(
    () =>
      state.status === 'ready' ? filterRows(state.value.rows, search) : [],
    [state, search]
  );
  if (state.status !== 'ready') {
    return (
      <LoadState
        state={state}
        retry={retry}
        loading={trans.__('Loading %1…', mapping)}
        trans={trans}
      />
    );
  }
  const table: ICrdsMapping = state.value;
  const header = table.header;
  return (
    <section className="jp-JwstLab-crdsRules" data-mapping={table.name}>
      <h3>
        {table.name}
        {table.text_descr ? ` — ${table.text_descr}` : ''}
      </h3>
      <dl className="jp-JwstLab-crdsHeader">
        <dt>{trans.__('Match on')}</dt>
        <dd>{header.parkeys.map(group => group.join(', ')).join(' · ')}</dd>
        {header.classes.length > 0 && (
          <>
            <dt>{trans.__('Selectors')}</dt>
            <dd>{header.classes.join(' → ')}</dd>
          </>
        )}
        {header.derived_from && (
          <>
            <dt>{trans.__('Derived from')}</dt>
            <dd>{header.derived_from}</dd>
          </>
        )}
        {(header.comment || header.description) && (
          <>
            <dt>{trans.__('Comment')}</dt>
            <dd>{header.comment ?? header.description}</dd>
          </>
        )}
      </dl>
      <label className="jp-JwstLab-crdsFilter">
        <span>{trans.__('Search rules')}</span>
        <input
          type="search"
          className="jp-mod-styled jp-JwstLab-crdsRulesSearch"
          value={search}
          onChange={event => setSearch(event.currentTarget.value)}
          placeholder={trans.__('NRS1 FULL 2019…')}
        />
      </label>
      <p className="jp-JwstLab-crdsCount" role="status">
        {trans.__('%1 of %2 rules', rows.length, table.rows.length)}
      </p>
      <VirtualTable
        className="jp-JwstLab-crdsRulesTable"
        label={trans.__('Rules of %1', table.name)}
        columns={table.columns.map(column => column.replace(/^META\./, ''))}
        rows={rows}
      />
    </section>
  );
}

// --- diff ---------------------------------------------------------------------------

/** What changed between two contexts. */
export function CrdsDiffView({
  client,
  oldContext,
  newContext,
  trans
}: {
  client: IJwstLabClient;
  oldContext: string;
  newContext: string;
  trans: TranslationBundle;
}): JSX.Element {
  const [state, retry] = useLoad(
    () => client.getCrdsDiff(oldContext, newContext),
    [oldContext, newContext]
  );
  const [search, setSearch] = React.useState('');
  const changeRows = React.useMemo(
    () =>
      state.status === 'ready'
        ? filterRows(
            state.value.changes.map(c => [
              c.rmap ?? c.mappings[c.mappings.length - 1] ?? '',
              c.selector.join(' · '),
              c.change
            ]),
            search
          )
        : [],
    [state, search]
  );
  if (state.status !== 'ready') {
    return (
      <div className="jp-JwstLab-crdsDiff">
        <LoadState
          state={state}
          retry={retry}
          loading={trans.__('Comparing %1 and %2…', oldContext, newContext)}
          trans={trans}
        />
      </div>
    );
  }
  const diff: ICrdsDiff = state.value;
  const list = (title: string, items: string[], className: string) => (
    <section className={className}>
      <h3>
        {title} ({items.length})
      </h3>
      {items.length === 0 ? (
        <p className="jp-JwstLab-crdsHint">{trans.__('None')}</p>
      ) : (
        <ul>
          {items.map(item => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <div
      className="jp-JwstLab-crdsDiff"
      data-old={diff.old}
      data-new={diff.new}
    >
      <header className="jp-JwstLab-crdsViewHeader">
        <h2>{trans.__('%1 → %2', diff.old, diff.new)}</h2>
      </header>
      <section className="jp-JwstLab-crdsDiffAffected">
        <h3>{trans.__('Affected instruments and types')}</h3>
        {diff.affected.length === 0 ? (
          <p className="jp-JwstLab-crdsHint">
            {trans.__('No instrument is affected.')}
          </p>
        ) : (
          <ul>
            {diff.affected.map(item => (
              <li key={item.instrument} data-instrument={item.instrument}>
                <strong>{item.instrument.toUpperCase()}</strong>:{' '}
                {item.types.join(', ')}
              </li>
            ))}
          </ul>
        )}
      </section>
      {list(
        trans.__('Replaced mappings'),
        diff.replaced_mappings.map(m => `${m.old} → ${m.new}`),
        'jp-JwstLab-crdsDiffMappings'
      )}
      {list(
        trans.__('Replaced references'),
        diff.replaced_references.map(r => `${r.old} → ${r.new}`),
        'jp-JwstLab-crdsDiffReplaced'
      )}
      {list(
        trans.__('Added references'),
        diff.added_references,
        'jp-JwstLab-crdsDiffAdded'
      )}
      {list(
        trans.__('Deleted references'),
        diff.deleted_references,
        'jp-JwstLab-crdsDiffDeleted'
      )}
      {(diff.added_mappings.length > 0 || diff.deleted_mappings.length > 0) &&
        list(
          trans.__('Added and deleted mappings'),
          [
            ...diff.added_mappings.map(m => `+ ${m}`),
            ...diff.deleted_mappings.map(m => `− ${m}`)
          ],
          'jp-JwstLab-crdsDiffMappingChanges'
        )}
      <section className="jp-JwstLab-crdsDiffChanges">
        <h3>{trans.__('Rule changes (%1)', diff.changes.length)}</h3>
        <label className="jp-JwstLab-crdsFilter">
          <span>{trans.__('Search changes')}</span>
          <input
            type="search"
            className="jp-mod-styled jp-JwstLab-crdsDiffSearch"
            value={search}
            onChange={event => setSearch(event.currentTarget.value)}
          />
        </label>
        <VirtualTable
          className="jp-JwstLab-crdsDiffTable"
          label={trans.__('Rule changes')}
          columns={[trans.__('Mapping'), trans.__('Rule'), trans.__('Change')]}
          rows={changeRows}
          rowClass={row =>
            row[2].startsWith('added')
              ? 'jp-mod-added'
              : row[2].startsWith('deleted')
                ? 'jp-mod-deleted'
                : undefined
          }
        />
      </section>
    </div>
  );
}

// --- best references -----------------------------------------------------------

/** Human size of `bytes`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function bestrefText(ref: ICrdsBestref, trans: TranslationBundle): string {
  if (ref.reference) {
    return ref.reference;
  }
  switch (ref.status) {
    case 'n/a':
      return trans.__('N/A');
    case 'no_match':
      return ref.reason && !/^no match found\.?$/i.test(ref.reason)
        ? trans.__('no match: %1', ref.reason)
        : trans.__('no matching rule');
    case 'missing_parkey':
      return trans.__('missing keyword: %1', ref.reason ?? '');
    default:
      return ref.reason ?? trans.__('error');
  }
}

/** Why references cannot be fetched now, or null when they can. */
export function fetchBlocker(
  status: ICrdsStatus,
  trans: TranslationBundle
): string | null {
  if (!status.server.configured) {
    return trans.__(
      'Fetching references needs a CRDS server: set c.JwstLabApp.crds_server_url (or CRDS_SERVER_URL).'
    );
  }
  if (!status.cache.usable) {
    return status.fix ?? trans.__('The CRDS cache is not usable.');
  }
  if (status.cache.readonly) {
    return trans.__(
      'Read-only cache: references must come from whoever manages this CRDS cache.'
    );
  }
  if (status.server.reachable !== true) {
    return trans.__(
      'The CRDS server %1 does not answer: %2',
      status.server.url ?? '',
      status.server.error ?? ''
    );
  }
  return null;
}

/** The "Fetch references" button: a `crds_fetch` job, shown in the Jobs panel. */
export function CrdsFetchButton({
  client,
  path,
  context,
  missing,
  trans,
  onJob
}: {
  client: IJwstLabClient;
  path: string;
  context: string;
  missing: number;
  trans: TranslationBundle;
  onJob?: (job: IJobRecord) => void;
}): JSX.Element {
  const supported = client.hasFeature(Features.crdsFetch);
  // A server that cannot fetch is not asked for its status.
  const [status] = useLoad<ICrdsStatus | null>(
    () => (supported ? client.getCrdsStatus() : Promise.resolve(null)),
    [path, supported]
  );
  const [sending, setSending] = React.useState(false);
  const [message, setMessage] = React.useState<{
    kind: 'ok' | 'error';
    text: string;
  } | null>(null);
  let blocker: string | null = null;
  if (!supported || (status.status === 'ready' && status.value === null)) {
    blocker = trans.__('This server cannot fetch CRDS references.');
  } else if (status.status === 'loading') {
    blocker = trans.__('Checking the CRDS server and cache…');
  } else if (status.status === 'error') {
    blocker = status.message;
  } else if (status.value !== null) {
    blocker = fetchBlocker(status.value, trans);
  }
  const fetch = async (): Promise<void> => {
    setSending(true);
    setMessage(null);
    try {
      const job = await client.fetchCrdsReferences(
        context ? { path, context } : { path }
      );
      setMessage({
        kind: 'ok',
        text: trans.__(
          'Job %1 fetches the references into the cache: see the Jobs panel.',
          job.id
        )
      });
      onJob?.(job);
    } catch (error) {
      setMessage({
        kind: 'error',
        text: error instanceof Error ? error.message : String(error)
      });
    } finally {
      setSending(false);
    }
  };
  return (
    <div className="jp-JwstLab-crdsFetch">
      <button
        type="button"
        className="jp-mod-styled jp-mod-accept jp-JwstLab-crdsFetchButton"
        disabled={blocker !== null || sending}
        title={
          blocker ?? trans.__('Sync the missing references into the CRDS cache')
        }
        onClick={() => void fetch()}
      >
        {missing > 0
          ? trans.__('Fetch references (%1 missing)', missing)
          : trans.__('Fetch references')}
      </button>
      {blocker !== null && status.status !== 'loading' && (
        <p className="jp-JwstLab-crdsHint jp-JwstLab-crdsFetchNote" role="note">
          {blocker}
        </p>
      )}
      {message && (
        <p
          className="jp-JwstLab-crdsFetchMessage"
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-kind={message.kind}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}

/** Best references of one file: every type with its file or why there is none. */
export function CrdsBestrefsView({
  client,
  path,
  trans,
  onJob
}: {
  client: IJwstLabClient;
  path: string;
  trans: TranslationBundle;
  /** Called with a `crds_fetch` job the view created (e.g. to open the Jobs panel). */
  onJob?: (job: IJobRecord) => void;
}): JSX.Element {
  const [context, setContext] = React.useState('');
  const [draft, setDraft] = React.useState('');
  const [state, retry] = useLoad(
    () => client.getCrdsBestrefs(context ? { path, context } : { path }),
    [path, context]
  );
  const [hideNa, setHideNa] = React.useState(false);
  const chooser = (
    <form
      className="jp-JwstLab-crdsContextForm"
      onSubmit={event => {
        event.preventDefault();
        setContext(draft.trim());
      }}
    >
      <label>
        <span>{trans.__('Context')}</span>
        <input
          type="text"
          className="jp-mod-styled jp-JwstLab-crdsBestrefsContext"
          value={draft}
          placeholder={trans.__('effective context (e.g. jwst_0540.pmap)')}
          onChange={event => setDraft(event.currentTarget.value)}
        />
      </label>
      <button type="submit" className="jp-mod-styled">
        {trans.__('Apply')}
      </button>
    </form>
  );
  if (state.status !== 'ready') {
    return (
      <div className="jp-JwstLab-crdsBestrefs">
        {chooser}
        <LoadState
          state={state}
          retry={retry}
          loading={trans.__('Asking CRDS for the best references of %1…', path)}
          trans={trans}
        />
      </div>
    );
  }
  const result: ICrdsBestrefs = state.value;
  const shown = result.types.filter(t => !hideNa || t.status !== 'n/a');
  const toFetch =
    result.bytes_to_fetch === null
      ? trans.__('unknown (offline)')
      : formatBytes(result.bytes_to_fetch);
  return (
    <div
      className="jp-JwstLab-crdsBestrefs"
      data-context={result.context}
      data-path={path}
    >
      <header className="jp-JwstLab-crdsViewHeader">
        <h2>{path}</h2>
        {chooser}
        <p className="jp-JwstLab-crdsBestrefsSummary">
          {trans.__(
            '%1 at %2 (%3): %4 references selected, %5 already cached; still to fetch: %6',
            result.instrument.toUpperCase(),
            result.context,
            result.context_reason,
            result.found,
            result.cached,
            toFetch
          )}
        </p>
        {result.readonly && (
          <p className="jp-JwstLab-crdsHint">
            {trans.__('The CRDS cache is read-only (shared cache).')}
          </p>
        )}
        <CrdsFetchButton
          client={client}
          path={path}
          context={context}
          missing={result.missing}
          trans={trans}
          onJob={onJob}
        />
        <label className="jp-JwstLab-crdsCheck">
          <input
            type="checkbox"
            checked={hideNa}
            onChange={event => setHideNa(event.currentTarget.checked)}
          />
          {trans.__('Hide types that do not apply (N/A)')}
        </label>
      </header>
      <table
        className="jp-JwstLab-crdsBestrefsTable"
        aria-label={trans.__('Best references')}
      >
        <thead>
          <tr>
            <th scope="col">{trans.__('Type')}</th>
            <th scope="col">{trans.__('Description')}</th>
            <th scope="col">{trans.__('Reference file or reason')}</th>
            <th scope="col">{trans.__('Cached')}</th>
            <th scope="col">{trans.__('Size')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map(ref => (
            <tr
              key={ref.reftype}
              className="jp-JwstLab-crdsBestref"
              data-reftype={ref.reftype}
              data-status={ref.status}
            >
              <td>{ref.reftype}</td>
              <td>{ref.description}</td>
              <td title={ref.reason ?? ref.reference ?? ''}>
                {bestrefText(ref, trans)}
              </td>
              <td>
                {ref.cached === null
                  ? ''
                  : ref.cached
                    ? trans.__('yes')
                    : trans.__('no')}
              </td>
              <td>{ref.size === null ? '' : formatBytes(ref.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// --- main-area widgets -------------------------------------------------------------

/** A main-area widget showing a CRDS view; `key` identifies it for reuse. */
export class CrdsViewWidget extends MainAreaWidget<ReactWidget> {
  constructor(options: {
    element: React.ReactElement;
    label: string;
    key: string;
    className: string;
    /** The arguments of the command that opens this view again (after a reload). */
    args: ReadonlyJSONObject;
  }) {
    const content = ReactWidget.create(options.element);
    content.addClass('jp-JwstLab-crdsViewContent');
    super({ content });
    this.addClass(options.className);
    this.id = `jwst-lab-crds-${options.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    this.key = options.key;
    this.args = options.args;
    this.title.label = options.label;
    this.title.caption = options.label;
    this.title.icon = crdsIcon;
    this.title.closable = true;
  }

  /** What this widget shows, e.g. `tree:jwst_0541.pmap`. */
  readonly key: string;

  /** The arguments of the command that opens this view again. */
  readonly args: ReadonlyJSONObject;
}
