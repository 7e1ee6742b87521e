import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { ConnectionState, IEventsConnection } from '../../api/events';
import type { IJobRecord, IJobStoreInfo, IRunRecord } from '../../api/models';
import {
  CapabilityNote,
  capabilityNotice
} from '../../components/CapabilityNote';
import { EmptyState } from '../../components/EmptyState';
import { baseName, firstLine } from '../../components/format';
import { JobProgress } from '../../components/JobProgress';
import { RetryButton } from '../../components/RetryButton';
import { StatusBadge, StatusTone } from '../../components/StatusBadge';
import {
  JobElapsed,
  jobStatusLabels,
  JobStatusBadge,
  useNow
} from '../../components/jobStatus';
import { jobsIcon } from '../../icons';
import {
  isJobsFilter,
  JobsFilter,
  JOBS_FILTERS,
  JobsModel
} from '../../models/jobsModel';
import type { ServerInfoModel } from '../../models/serverInfo';
import { useModel } from '../../models/useModel';
import { isRunFinal, runTitle } from '../../runs/runRecord';
import { Features, IJwstLabClient, PanelIds } from '../../tokens';
import { JwstLabSidePanel } from '../panel';
import { RunProgressBar, RunStatusBadge } from '../runs/runParts';
import { jobCaption, jobTitleText } from './title';

/**
 * The Jobs sidebar panel: pipeline jobs filtered by status, and whether live
 * updates from the server's events stream are flowing.
 */
export class JobsPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: JobsPanel.IOptions) {
    super({
      id: PanelIds.jobs,
      label: trans => trans.__('Pipeline Jobs'),
      caption: trans =>
        trans.__('Pipeline Jobs: JWST pipeline runs and their logs'),
      icon: jobsIcon,
      client: options.client,
      translator: options.translator
    });
    this._onOpenJob = options.onOpenJob ?? null;
    this._onOpenRun = options.onOpenRun ?? null;
    this.model = new JobsModel({
      client: options.client,
      events: options.events,
      filter: options.statusFilter ?? 'all'
    });
  }

  /** The jobs shown: loaded once the server says it provides jobs. */
  readonly model: JobsModel;

  /** The job status shown; `all` shows every job. */
  get statusFilter(): JobsFilter {
    return this.model.filter;
  }

  set statusFilter(value: JobsFilter) {
    if (value === this.model.filter) {
      return;
    }
    this.model.filter = value;
    this._statusFilterChanged.emit(value);
  }

  /** Emitted when the status filter changes. */
  get statusFilterChanged(): ISignal<this, JobsFilter> {
    return this._statusFilterChanged;
  }

  /** The job whose details were opened last (highlighted in the list), or null. */
  get selectedJob(): string | null {
    return this.model.selectedJob;
  }

  set selectedJob(value: string | null) {
    if (value === this.model.selectedJob) {
      return;
    }
    this.model.selectedJob = value;
    this._selectedJobChanged.emit(value);
  }

  /** Emitted when the selected job changes. */
  get selectedJobChanged(): ISignal<this, string | null> {
    return this._selectedJobChanged;
  }

  /** Select a job and open its details. */
  openJob(id: string): void {
    this.selectedJob = id;
    this._onOpenJob?.(id);
  }

  /** Open a run's tab. */
  openRun(id: string): void {
    this._onOpenRun?.(id);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected renderBody(): React.ReactElement {
    return (
      <JobsView
        trans={this.jwstTrans}
        model={this.model}
        serverInfo={this.serverInfo}
        onStatusFilterChange={value => (this.statusFilter = value)}
        onOpenJob={id => this.openJob(id)}
        onOpenRun={id => this.openRun(id)}
      />
    );
  }

  private _statusFilterChanged = new Signal<this, JobsFilter>(this);
  private _selectedJobChanged = new Signal<this, string | null>(this);
  private readonly _onOpenJob: ((id: string) => void) | null;
  private readonly _onOpenRun: ((id: string) => void) | null;
}

/** The namespace for `JobsPanel` statics. */
export namespace JobsPanel {
  /** Options to create the Jobs panel. */
  export interface IOptions {
    client: IJwstLabClient;
    /** The server's events stream; drives the live indicator. */
    events: IEventsConnection;
    /** Initial status filter (default `all`). */
    statusFilter?: JobsFilter;
    /** Opens a job's details (clicking or pressing Enter on a job). */
    onOpenJob?: (id: string) => void;
    /** Opens a run's tab (clicking or pressing Enter on a run). */
    onOpenRun?: (id: string) => void;
    translator?: ITranslator;
  }
}

interface IJobsViewProps {
  trans: TranslationBundle;
  model: JobsModel;
  serverInfo: ServerInfoModel;
  onStatusFilterChange: (value: JobsFilter) => void;
  onOpenJob: (id: string) => void;
  onOpenRun: (id: string) => void;
}

function JobsView(props: IJobsViewProps): JSX.Element {
  const { trans, onStatusFilterChange, onOpenJob, onOpenRun } = props;
  const model = useModel(props.model);
  const state = useModel(props.serverInfo).state;
  const statusFilter = model.filter;
  const connectionState = model.connectionState;
  const jobStore = state.value?.job_store ?? null;
  // An unusable job database answers every job request with a 503: the banner says why.
  const storeUnusable = jobStore?.state === 'unusable';
  const hasJobs =
    state.value !== null &&
    state.value.features.includes(Features.jobs) &&
    !storeUnusable;
  // Load the jobs once the server is known to provide them.
  React.useEffect(() => {
    if (hasJobs) {
      model.start();
    }
  }, [hasJobs, model]);
  const labels = statusLabels(trans);
  const indicator = connectionIndicator(connectionState, trans);
  return (
    <div className="jp-JwstLab-jobs">
      <div className="jp-JwstLab-toolbarRow">
        <select
          className="jp-JwstLab-jobsStatusFilter jp-mod-styled"
          aria-label={trans.__('Filter jobs by status')}
          value={statusFilter}
          onChange={event => {
            if (isJobsFilter(event.target.value)) {
              onStatusFilterChange(event.target.value);
            }
          }}
        >
          {JOBS_FILTERS.map(value => (
            <option key={value} value={value}>
              {labels[value]}
            </option>
          ))}
        </select>
        <span
          className="jp-JwstLab-eventsState"
          role="status"
          data-state={connectionState}
        >
          <StatusBadge tone={indicator.tone} title={indicator.title}>
            {indicator.label}
          </StatusBadge>
        </span>
      </div>
      <CapabilityNote
        notice={capabilityNotice(
          state,
          Features.jobs,
          trans.__('pipeline jobs'),
          trans
        )}
      />
      {jobStore && <JobStoreBanner store={jobStore} trans={trans} />}
      {hasJobs && (
        <JobList
          model={model}
          trans={trans}
          emptyMessage={emptyMessage(statusFilter, trans)}
          selectedJob={model.selectedJob}
          onOpenJob={onOpenJob}
          onOpenRun={onOpenRun}
        />
      )}
      {!hasJobs && !storeUnusable && (
        <EmptyState message={emptyMessage(statusFilter, trans)} />
      )}
    </div>
  );
}

interface IJobStoreBannerProps {
  store: IJobStoreInfo;
  trans: TranslationBundle;
}

/**
 * What happened to the job database when it is not simply usable: rebuilt at
 * start-up (dismissable) or unusable (jobs cannot be listed nor run), with the
 * server's message saying where it is and what to do.
 */
export function JobStoreBanner({
  store,
  trans
}: IJobStoreBannerProps): JSX.Element | null {
  // Dismissing hides the note in this view only: nothing else reads it.
  const [dismissed, setDismissed] = React.useState<string | null>(null);
  const key = `${store.state}:${store.path}:${store.moved_to ?? ''}`;
  if (store.state === 'ok' || dismissed === key) {
    return null;
  }
  const unusable = store.state === 'unusable';
  return (
    <div
      className="jp-JwstLab-jobStoreBanner"
      data-state={store.state}
      role={unusable ? 'alert' : 'status'}
    >
      <p className="jp-JwstLab-jobStoreBannerTitle">
        {unusable
          ? trans.__('Jobs are unavailable: the job database cannot be used')
          : trans.__('The job database was repaired')}
      </p>
      {store.message && (
        <p className="jp-JwstLab-jobStoreBannerMessage">{store.message}</p>
      )}
      <dl className="jp-JwstLab-jobStoreBannerPaths">
        <dt>{trans.__('Database')}</dt>
        <dd>
          <code>{store.path}</code>
        </dd>
        {store.moved_to && (
          <>
            <dt>{trans.__('Damaged file kept as')}</dt>
            <dd>
              <code>{store.moved_to}</code>
            </dd>
          </>
        )}
      </dl>
      {!unusable && (
        <button
          type="button"
          className="jp-JwstLab-jobStoreBannerDismiss jp-mod-styled"
          onClick={() => setDismissed(key)}
        >
          {trans.__('Dismiss')}
        </button>
      )}
    </div>
  );
}

interface IJobListProps {
  model: JobsModel;
  trans: TranslationBundle;
  emptyMessage: string;
  selectedJob: string | null;
  onOpenJob: (id: string) => void;
  onOpenRun: (id: string) => void;
}

/** The loaded jobs (a run's under their run), or why there are none (loading, error, empty). */
function JobList({
  model,
  trans,
  emptyMessage,
  selectedJob,
  onOpenJob,
  onOpenRun
}: IJobListProps): JSX.Element {
  const jobs = model.jobs;
  const entries = model.entries;
  const running = jobs.some(job => job.status === 'running');
  const now = useNow(running ? 1000 : 0);

  if (model.state === 'idle' || model.state === 'loading') {
    return (
      <p className="jp-JwstLab-jobsLoading" role="status" aria-busy="true">
        {trans.__('Loading jobs…')}
      </p>
    );
  }
  if (model.state === 'error') {
    return (
      <div className="jp-JwstLab-jobsError" role="alert">
        <p className="jp-JwstLab-jobsErrorMessage">
          {trans.__('Cannot load the jobs: %1', model.error ?? '')}
        </p>
        <RetryButton
          onClick={() => void model.refresh()}
          trans={trans}
          disabled={model.isRefreshing}
        />
      </div>
    );
  }
  if (entries.length === 0) {
    return <EmptyState message={emptyMessage} />;
  }
  const item = (job: IJobRecord, earlier = false) => (
    <JobItem
      key={job.id}
      job={job}
      now={now}
      trans={trans}
      selected={job.id === selectedJob}
      onOpen={onOpenJob}
      earlier={earlier}
    />
  );
  return (
    <>
      <ul
        className="jp-JwstLab-jobList"
        aria-label={trans.__('Jobs')}
        aria-busy={model.isRefreshing}
      >
        {entries.map(entry =>
          entry.kind === 'job' ? (
            item(entry.job)
          ) : (
            <RunItem
              key={`run-${entry.runId}`}
              runId={entry.runId}
              run={entry.run}
              expanded={model.isRunExpanded(entry.runId)}
              onToggle={() => model.toggleRun(entry.runId)}
              onOpen={onOpenRun}
              trans={trans}
              earlier={entry.earlier.map(job => item(job, true))}
            >
              {entry.children.map(job => item(job))}
            </RunItem>
          )
        )}
      </ul>
      {model.total > jobs.length && (
        <p className="jp-JwstLab-jobsMore">
          {trans.__(
            'Showing the newest %1 of %2 jobs.',
            jobs.length,
            model.total
          )}
        </p>
      )}
    </>
  );
}

interface IJobItemProps {
  job: IJobRecord;
  now: number;
  trans: TranslationBundle;
  selected: boolean;
  onOpen: (id: string) => void;
  /** A child of an earlier attempt of its run (before a resume). */
  earlier?: boolean;
}

/** One job: pipeline, input, status, elapsed time, progress and error. */
function JobItem({
  job,
  now,
  trans,
  selected,
  onOpen,
  earlier
}: IJobItemProps): JSX.Element {
  const title = jobTitleText(job, trans);
  // A download has no input: show where it writes.
  const where =
    job.input || (job.kind === 'download' ? job.output_dir || null : null);
  const input = where ? baseName(where) : null;
  const showProgress = job.status === 'running' || job.status === 'queued';
  const error =
    job.status === 'failed' && job.error ? firstLine(job.error) : '';
  return (
    <li
      className="jp-JwstLab-jobItem"
      data-status={job.status}
      data-job-id={job.id}
      data-selected={selected}
      data-earlier={earlier ? 'true' : undefined}
      aria-current={selected ? 'true' : undefined}
      title={
        earlier
          ? trans.__(
              '%1 (an earlier attempt: the run was resumed since)',
              jobCaption(job, trans)
            )
          : jobCaption(job, trans)
      }
      tabIndex={0}
      onClick={() => onOpen(job.id)}
      onKeyDown={event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onOpen(job.id);
        }
      }}
    >
      <div className="jp-JwstLab-jobHeader">
        <span className="jp-JwstLab-jobPipeline">{title}</span>
        <JobStatusBadge status={job.status} trans={trans} />
      </div>
      <div className="jp-JwstLab-jobMeta">
        {input && <span className="jp-JwstLab-jobInput">{input}</span>}
        <JobElapsed job={job} now={now} trans={trans} />
      </div>
      {showProgress && <JobProgress job={job} trans={trans} />}
      {error && (
        <p className="jp-JwstLab-jobError" title={job.error ?? undefined}>
          {error}
        </p>
      )}
    </li>
  );
}

interface IRunItemProps {
  runId: string;
  run: IRunRecord | null;
  expanded: boolean;
  onToggle: () => void;
  onOpen: (id: string) => void;
  trans: TranslationBundle;
  /** The run's jobs in the list, shown when expanded. */
  children: React.ReactElement[];
  /** Its jobs of earlier attempts, shown last when expanded. */
  earlier: React.ReactElement[];
}

/** A run: its title, status and progress, and its jobs below when expanded. */
function RunItem({
  runId,
  run,
  expanded,
  onToggle,
  onOpen,
  trans,
  children,
  earlier
}: IRunItemProps): JSX.Element {
  const now = useNow(run && !isRunFinal(run.status) ? 5000 : 0);
  const listId = `jp-JwstLab-runChildren-${runId}`;
  return (
    <li
      className="jp-JwstLab-runItem"
      data-run-id={runId}
      data-status={run?.status}
      data-children={children.length}
    >
      <div className="jp-JwstLab-runItemRow">
        <button
          type="button"
          className="jp-JwstLab-runItemToggle"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-label={
            expanded
              ? trans.__('Hide the jobs of the run')
              : trans.__('Show the jobs of the run')
          }
          onClick={onToggle}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
        </button>
        <div
          className="jp-JwstLab-runItemMain"
          role="button"
          tabIndex={0}
          title={trans.__('Open the run')}
          onClick={() => onOpen(runId)}
          onKeyDown={event => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              onOpen(runId);
            } else if (event.key === 'ArrowRight' && !expanded) {
              onToggle();
            } else if (event.key === 'ArrowLeft' && expanded) {
              onToggle();
            }
          }}
        >
          <div className="jp-JwstLab-jobHeader">
            <span className="jp-JwstLab-jobPipeline">
              {run ? runTitle(run) : trans.__('Run %1', runId.slice(0, 8))}
            </span>
            {run && <RunStatusBadge status={run.status} trans={trans} />}
          </div>
          <div className="jp-JwstLab-jobMeta">
            <span className="jp-JwstLab-jobInput">
              {trans._n(
                '%1 job',
                '%1 jobs',
                run?.jobs.length ?? children.length
              )}
            </span>
          </div>
          {run && <RunProgressBar run={run} now={now} trans={trans} />}
        </div>
      </div>
      {expanded && (
        <ul
          id={listId}
          className="jp-JwstLab-jobList jp-JwstLab-runChildren"
          aria-label={trans.__('Jobs of the run')}
        >
          {children}
          {earlier.length > 0 && (
            <li className="jp-JwstLab-runEarlier" aria-hidden="true">
              {trans._n(
                'Earlier attempt, before a resume',
                'Earlier attempts, before a resume',
                earlier.length
              )}
            </li>
          )}
          {earlier}
        </ul>
      )}
    </li>
  );
}

function statusLabels(trans: TranslationBundle): Record<JobsFilter, string> {
  return { all: trans.__('All'), ...jobStatusLabels(trans) };
}

/** What the empty job list says for each filter. */
function emptyMessage(filter: JobsFilter, trans: TranslationBundle): string {
  switch (filter) {
    case 'all':
      return trans.__(
        'No jobs yet. Right-click a folder of exposures in the file browser and choose Reduce to Level 3…, or an association (*_asn.json) to run one pipeline.'
      );
    case 'queued':
      return trans.__('No queued jobs.');
    case 'running':
      return trans.__('No running jobs.');
    case 'succeeded':
      return trans.__('No succeeded jobs.');
    case 'failed':
      return trans.__('No failed jobs.');
    case 'cancelled':
      return trans.__('No cancelled jobs.');
    case 'interrupted':
      return trans.__('No interrupted jobs.');
  }
}

function connectionIndicator(
  state: ConnectionState,
  trans: TranslationBundle
): { tone: StatusTone; label: string; title: string } {
  switch (state) {
    case 'open':
      return {
        tone: 'ok',
        label: trans.__('live'),
        title: trans.__('Job updates arrive live from the server.')
      };
    case 'connecting':
      return {
        tone: 'pending',
        label: trans.__('connecting…'),
        title: trans.__('Connecting to the server for live job updates.')
      };
    case 'reconnecting':
      return {
        tone: 'warn',
        label: trans.__('reconnecting…'),
        title: trans.__(
          'The connection to the server was lost; retrying at growing intervals.'
        )
      };
    case 'idle':
    case 'closed':
      return {
        tone: 'pending',
        label: trans.__('not connected'),
        title: trans.__(
          'No live job updates: the server does not provide them or could not be reached.'
        )
      };
  }
}
