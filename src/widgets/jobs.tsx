import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { ConnectionState, IEventsConnection } from '../api/events';
import type { IJobRecord, IJobStoreInfo } from '../api/types';
import { CapabilityNote } from '../components/CapabilityNote';
import { EmptyState } from '../components/EmptyState';
import { JobProgress } from '../components/JobProgress';
import { StatusBadge, StatusTone } from '../components/StatusBadge';
import { jobStatusTone, useNow } from '../components/jobStatus';
import { jobsIcon } from '../icons';
import {
  Features,
  IJwstLabClient,
  PanelIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { JwstLabSidePanel } from './panel';
import { baseName, firstLine, formatElapsed, JobsModel } from './jobsModel';
import { capabilityNotice, useServerInfo } from './serverInfo';

/** The job states the list can be filtered by, plus `all`, in menu order. */
export const JOB_STATUS_FILTERS = [
  'all',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted'
] as const;

/** A value of the jobs status filter. */
export type JobStatusFilter = (typeof JOB_STATUS_FILTERS)[number];

/** Whether `value` (e.g. read back from the state database) is a status filter. */
export function isJobStatusFilter(value: unknown): value is JobStatusFilter {
  return (
    typeof value === 'string' &&
    (JOB_STATUS_FILTERS as readonly string[]).includes(value)
  );
}

/**
 * The Jobs sidebar panel: pipeline jobs filtered by status, and whether live
 * updates from the server's events stream are flowing.
 */
export class JobsPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: JobsPanel.IOptions) {
    const translator = options.translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    super({
      id: PanelIds.jobs,
      label: trans.__('Pipeline Jobs'),
      caption: trans.__('Pipeline Jobs: JWST pipeline runs and their logs'),
      icon: jobsIcon,
      translator
    });
    this._client = options.client;
    this._events = options.events;
    this._jwstTrans = trans;
    this._statusFilter = options.statusFilter ?? 'all';
    this._onOpenJob = options.onOpenJob ?? null;
    this._model = new JobsModel({
      client: this._client,
      events: this._events,
      filter: this._statusFilter
    });
    this._events.connectionStateChanged.connect(this.updateBody, this);
    this._model.changed.connect(this.updateBody, this);
  }

  /** The jobs shown: loaded once the server says it provides jobs. */
  get model(): JobsModel {
    return this._model;
  }

  /** The job status shown; `all` shows every job. */
  get statusFilter(): JobStatusFilter {
    return this._statusFilter;
  }

  set statusFilter(value: JobStatusFilter) {
    if (value === this._statusFilter) {
      return;
    }
    this._statusFilter = value;
    this._model.filter = value;
    this._statusFilterChanged.emit(value);
    this.updateBody();
  }

  /** Emitted when the status filter changes. */
  get statusFilterChanged(): ISignal<this, JobStatusFilter> {
    return this._statusFilterChanged;
  }

  /** The job whose details were opened last (highlighted in the list), or null. */
  get selectedJob(): string | null {
    return this._selectedJob;
  }

  set selectedJob(value: string | null) {
    if (value === this._selectedJob) {
      return;
    }
    this._selectedJob = value;
    this._selectedJobChanged.emit(value);
    this.updateBody();
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

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._events.connectionStateChanged.disconnect(this.updateBody, this);
    this._model.dispose();
    super.dispose();
  }

  protected renderBody(): React.ReactElement {
    return (
      <JobsView
        client={this._client}
        trans={this._jwstTrans}
        model={this._model}
        statusFilter={this._statusFilter}
        onStatusFilterChange={value => (this.statusFilter = value)}
        connectionState={this._events.connectionState}
        selectedJob={this._selectedJob}
        onOpenJob={id => this.openJob(id)}
      />
    );
  }

  private readonly _client: IJwstLabClient;
  private readonly _events: IEventsConnection;
  private readonly _jwstTrans: TranslationBundle;
  private readonly _model: JobsModel;
  private _statusFilter: JobStatusFilter;
  private _statusFilterChanged = new Signal<this, JobStatusFilter>(this);
  private _selectedJob: string | null = null;
  private _selectedJobChanged = new Signal<this, string | null>(this);
  private readonly _onOpenJob: ((id: string) => void) | null;
}

/** The namespace for `JobsPanel` statics. */
export namespace JobsPanel {
  /** Options to create the Jobs panel. */
  export interface IOptions {
    client: IJwstLabClient;
    /** The server's events stream; drives the live indicator. */
    events: IEventsConnection;
    /** Initial status filter (default `all`). */
    statusFilter?: JobStatusFilter;
    /** Opens a job's details (clicking or pressing Enter on a job). */
    onOpenJob?: (id: string) => void;
    translator?: ITranslator;
  }
}

interface IJobsViewProps {
  client: IJwstLabClient;
  trans: TranslationBundle;
  model: JobsModel;
  statusFilter: JobStatusFilter;
  onStatusFilterChange: (value: JobStatusFilter) => void;
  connectionState: ConnectionState;
  selectedJob: string | null;
  onOpenJob: (id: string) => void;
}

function JobsView(props: IJobsViewProps): JSX.Element {
  const {
    client,
    trans,
    model,
    statusFilter,
    onStatusFilterChange,
    connectionState,
    selectedJob,
    onOpenJob
  } = props;
  const { state } = useServerInfo(client);
  const jobStore =
    state.status === 'ready' ? (state.info.job_store ?? null) : null;
  // An unusable job database answers every job request with a 503: the banner says why.
  const storeUnusable = jobStore?.state === 'unusable';
  const hasJobs =
    state.status === 'ready' &&
    state.info.features.includes(Features.jobs) &&
    !storeUnusable;
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
            if (isJobStatusFilter(event.target.value)) {
              onStatusFilterChange(event.target.value);
            }
          }}
        >
          {JOB_STATUS_FILTERS.map(value => (
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
          labels={labels}
          emptyMessage={emptyMessage(statusFilter, trans)}
          selectedJob={selectedJob}
          onOpenJob={onOpenJob}
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
  labels: Record<JobStatusFilter, string>;
  emptyMessage: string;
  selectedJob: string | null;
  onOpenJob: (id: string) => void;
}

/** The loaded jobs, or why there are none (loading, error, empty). */
function JobList({
  model,
  trans,
  labels,
  emptyMessage,
  selectedJob,
  onOpenJob
}: IJobListProps): JSX.Element {
  const jobs = model.jobs;
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
        <button
          type="button"
          className="jp-JwstLab-retry jp-mod-styled"
          onClick={() => void model.refresh()}
          disabled={model.isRefreshing}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  if (jobs.length === 0) {
    return <EmptyState message={emptyMessage} />;
  }
  return (
    <>
      <ul
        className="jp-JwstLab-jobList"
        aria-label={trans.__('Jobs')}
        aria-busy={model.isRefreshing}
      >
        {jobs.map(job => (
          <JobItem
            key={job.id}
            job={job}
            now={now}
            trans={trans}
            label={labels[job.status] ?? job.status}
            selected={job.id === selectedJob}
            onOpen={onOpenJob}
          />
        ))}
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
  label: string;
  selected: boolean;
  onOpen: (id: string) => void;
}

/** One job: pipeline, input, status, elapsed time, progress and error. */
function JobItem({
  job,
  now,
  trans,
  label,
  selected,
  onOpen
}: IJobItemProps): JSX.Element {
  const title =
    job.pipeline ??
    (job.kind === 'download'
      ? trans.__('Download')
      : job.kind === 'crds_fetch'
        ? trans.__('CRDS references')
        : trans.__('Pipeline'));
  // A download has no input: show where it writes.
  const where =
    job.input ?? (job.kind === 'download' ? (job.output_dir ?? null) : null);
  const input = where ? baseName(where) : null;
  const elapsed = formatElapsed(job, now);
  const showProgress = job.status === 'running' || job.status === 'queued';
  const error =
    job.status === 'failed' && job.error ? firstLine(job.error) : '';
  return (
    <li
      className="jp-JwstLab-jobItem"
      data-status={job.status}
      data-job-id={job.id}
      data-selected={selected}
      aria-current={selected ? 'true' : undefined}
      title={where ?? undefined}
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
        <StatusBadge
          tone={jobStatusTone(job.status)}
          className="jp-JwstLab-jobStatus"
        >
          {label}
        </StatusBadge>
      </div>
      <div className="jp-JwstLab-jobMeta">
        {input && <span className="jp-JwstLab-jobInput">{input}</span>}
        {elapsed && (
          <span
            className="jp-JwstLab-jobElapsed"
            title={trans.__('Elapsed time')}
          >
            {elapsed}
          </span>
        )}
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

function statusLabels(
  trans: TranslationBundle
): Record<JobStatusFilter, string> {
  return {
    all: trans.__('All'),
    queued: trans.__('Queued'),
    running: trans.__('Running'),
    succeeded: trans.__('Succeeded'),
    failed: trans.__('Failed'),
    cancelled: trans.__('Cancelled'),
    interrupted: trans.__('Interrupted')
  };
}

/** What the empty job list says for each filter. */
function emptyMessage(
  filter: JobStatusFilter,
  trans: TranslationBundle
): string {
  switch (filter) {
    case 'all':
      return trans.__(
        'No jobs yet. Right-click an association (*_asn.json) in the file browser to run the pipeline.'
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
