import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type {
  ICrdsBestref,
  ICrdsContextList,
  ICrdsStatus
} from '../../api/models';
import type { IJobRecord } from '../../api/models';
import { formatBytes } from '../../components/format';
import { JobProgress } from '../../components/JobProgress';
import type { CrdsBestrefsModel } from '../../crds/bestrefsModel';
import { isFinal } from '../../models/jobRecord';
import { useModel } from '../../models/useModel';
import { plural } from '../../translation';
import { LoadState } from './loadState';

/** Props of {@link CrdsBestrefsView}. */
export interface ICrdsBestrefsViewProps {
  model: CrdsBestrefsModel;
  trans: TranslationBundle;
  /** Called with a `crds_fetch` job the view created (e.g. to open the Jobs panel). */
  onJob?: (job: IJobRecord) => void;
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

/**
 * "Fetch references": a `crds_fetch` job syncing the missing references into
 * the cache, followed here until it ends (and in the Jobs panel).
 */
export function CrdsFetch({
  model,
  missing,
  trans,
  onJob
}: {
  model: CrdsBestrefsModel;
  missing: number;
  trans: TranslationBundle;
  onJob?: (job: IJobRecord) => void;
}): JSX.Element {
  const status = model.crdsStatus;
  const tracker = model.fetchJob;
  const job = tracker?.job ?? null;
  const running = job !== null && !isFinal(job.status);
  let blocker: string | null = null;
  if (!model.canFetch) {
    blocker = trans.__('This server cannot fetch CRDS references.');
  } else if (status.status === 'loading' || status.status === 'idle') {
    blocker = trans.__('Checking the CRDS server and cache…');
  } else if (status.status === 'error') {
    blocker = status.error?.message ?? '';
  } else if (status.value !== null) {
    blocker = fetchBlocker(status.value, trans);
  }
  const pending = status.status === 'loading' || status.status === 'idle';
  // A button that cannot act does not look like the one to press (no accept style).
  const disabled = blocker !== null || model.sending || running;
  const fetch = async (): Promise<void> => {
    const created = await model.fetch();
    if (created) {
      onJob?.(created);
    }
  };
  return (
    <div className="jp-JwstLab-crdsFetch">
      <button
        type="button"
        className={
          disabled
            ? 'jp-mod-styled jp-JwstLab-crdsFetchButton'
            : 'jp-mod-styled jp-mod-accept jp-JwstLab-crdsFetchButton'
        }
        disabled={disabled}
        title={
          blocker ?? trans.__('Sync the missing references into the CRDS cache')
        }
        onClick={() => void fetch()}
      >
        {missing > 0
          ? trans.__('Fetch references (%1 missing)', missing)
          : trans.__('Fetch references')}
      </button>
      {blocker !== null && !(model.canFetch && pending) && (
        <p className="jp-JwstLab-crdsHint jp-JwstLab-crdsFetchNote" role="note">
          {blocker}
        </p>
      )}
      {model.fetchError && (
        <p
          className="jp-JwstLab-crdsFetchMessage"
          role="alert"
          data-kind="error"
        >
          {model.fetchError.message}
        </p>
      )}
      {job && (
        <div
          className="jp-JwstLab-crdsFetchJob"
          data-status={job.status}
          data-job-id={job.id}
        >
          <p
            className="jp-JwstLab-crdsFetchMessage"
            role={job.status === 'failed' ? 'alert' : 'status'}
            data-kind={job.status === 'failed' ? 'error' : 'ok'}
          >
            {fetchText(job, trans)}
          </p>
          {running && <JobProgress job={job} trans={trans} />}
        </div>
      )}
    </div>
  );
}

/** What a fetch job's state means for the user. */
function fetchText(job: IJobRecord, trans: TranslationBundle): string {
  switch (job.status) {
    case 'succeeded':
      return trans.__('Job %1 fetched the references into the cache.', job.id);
    case 'failed':
      return trans.__(
        'Job %1 could not fetch the references: %2',
        job.id,
        job.error ?? ''
      );
    case 'cancelled':
      return trans.__('Job %1 was cancelled.', job.id);
    case 'interrupted':
      return trans.__(
        'Job %1 was interrupted; it is queued again when the server is back.',
        job.id
      );
    default:
      return trans.__(
        'Job %1 fetches the references into the cache: see the Jobs panel.',
        job.id
      );
  }
}

/** The contexts a user can pick here: cached ones, or every one a CRDS server lists. */
function pickable(list: ICrdsContextList | null): string[] {
  if (!list) {
    return [];
  }
  return list.contexts
    .filter(row => row.cached || list.source === 'server')
    .map(row => row.context);
}

/**
 * The context the user chose cannot be used: say which and why, and offer
 * the effective context and the valid ones instead of a Retry that would fail
 * the same way.
 */
function ContextProblem({
  model,
  trans
}: {
  model: CrdsBestrefsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const list = model.contexts.value;
  const choices = pickable(list).filter(name => name !== model.context);
  const effective = list?.effective_context ?? null;
  return (
    <div
      className="jp-JwstLab-crdsError jp-JwstLab-crdsContextProblem"
      role="alert"
    >
      <p>
        {trans.__(
          'CRDS cannot give best references at context %1: %2',
          model.context,
          model.contextError?.message ?? ''
        )}
      </p>
      <div className="jp-JwstLab-crdsContextChoices">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-JwstLab-crdsUseEffective"
          onClick={() => model.useContext('')}
        >
          {effective
            ? trans.__('Use the effective context (%1)', effective)
            : trans.__('Use the effective context')}
        </button>
        <label>
          <span>{trans.__('or pick a context')}</span>
          <select
            className="jp-mod-styled jp-JwstLab-crdsPickContext"
            value=""
            disabled={choices.length === 0}
            onChange={event => model.useContext(event.currentTarget.value)}
          >
            <option value="" disabled>
              {model.contexts.status === 'loading'
                ? trans.__('reading the contexts…')
                : plural(
                    trans,
                    choices.length,
                    '%1 context available',
                    '%1 contexts available'
                  )}
            </option>
            {choices.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}

/** Best references of one file: every type with its file or why there is none. */
export function CrdsBestrefsView({
  model: bestrefsModel,
  trans,
  onJob
}: ICrdsBestrefsViewProps): JSX.Element {
  const model = useModel(bestrefsModel);
  const path = model.path;
  const state = model.state;
  const listId = React.useId();
  const chooser = (
    <form
      className="jp-JwstLab-crdsContextForm"
      onSubmit={event => {
        event.preventDefault();
        model.applyContext();
      }}
    >
      <label>
        <span>{trans.__('Context')}</span>
        <input
          type="text"
          className="jp-mod-styled jp-JwstLab-crdsBestrefsContext"
          value={model.contextDraft}
          list={listId}
          placeholder={trans.__('effective context (e.g. jwst_0540.pmap)')}
          onFocus={() => model.loadContexts()}
          onChange={event => model.setContextDraft(event.currentTarget.value)}
        />
      </label>
      <datalist id={listId}>
        {pickable(model.contexts.value).map(name => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button type="submit" className="jp-mod-styled">
        {trans.__('Apply')}
      </button>
    </form>
  );
  const result = state.value;
  const contextError = model.contextError;
  const hideNa = model.hideNa;
  const naCount = result
    ? result.types.filter(t => t.status === 'n/a').length
    : 0;
  const shown = result
    ? result.types.filter(t => !hideNa || t.status !== 'n/a')
    : [];
  const toFetch =
    result === null
      ? ''
      : result.missing === 0
        ? trans.__('nothing')
        : result.bytes_to_fetch === null
          ? trans.__('unknown (offline)')
          : formatBytes(result.bytes_to_fetch);
  // The file's title and the chooser stay whatever happens to the request.
  return (
    <div
      className="jp-JwstLab-crdsBestrefs"
      data-context={result?.context}
      data-path={path}
      aria-busy={state.status === 'loading'}
    >
      <header className="jp-JwstLab-crdsViewHeader">
        <h2 title={path}>{path}</h2>
        {chooser}
        {contextError ? (
          <ContextProblem model={bestrefsModel} trans={trans} />
        ) : (
          !result && (
            <LoadState
              model={model}
              loading={trans.__(
                'Asking CRDS for the best references of %1…',
                path
              )}
              trans={trans}
            />
          )
        )}
        {result && (
          <>
            <p className="jp-JwstLab-crdsBestrefsSummary">
              {trans.__(
                '%1 at %2 (%3): %4, %5 already cached; still to fetch: %6',
                result.instrument.toUpperCase(),
                result.context,
                result.context_reason,
                plural(
                  trans,
                  result.found,
                  '%1 reference selected',
                  '%1 references selected'
                ),
                result.cached,
                toFetch
              )}
            </p>
            {result.readonly && (
              <p className="jp-JwstLab-crdsHint">
                {trans.__('The CRDS cache is read-only (shared cache).')}
              </p>
            )}
            <CrdsFetch
              model={model}
              missing={result.missing}
              trans={trans}
              onJob={onJob}
            />
            {naCount > 0 && (
              <label className="jp-JwstLab-crdsCheck jp-JwstLab-crdsShowNa">
                <input
                  type="checkbox"
                  checked={!hideNa}
                  onChange={event =>
                    model.setHideNa(!event.currentTarget.checked)
                  }
                />
                {trans.__('Show N/A (%1)', naCount)}
              </label>
            )}
          </>
        )}
      </header>
      {result && (
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
              <th scope="col" className="jp-mod-end">
                {trans.__('Size')}
              </th>
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
                <td className="jp-mod-end" {...sizeCell(ref, trans)} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The Size cell: the file's size, or why it is not known. */
function sizeCell(
  ref: ICrdsBestref,
  trans: TranslationBundle
): { children: string; title?: string } {
  if (ref.size !== null) {
    return { children: formatBytes(ref.size) };
  }
  if (ref.reference === null) {
    return { children: '' };
  }
  return {
    children: '?',
    title: trans.__(
      'Not in the cache, and no CRDS server was asked for its size.'
    )
  };
}
