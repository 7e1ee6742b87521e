import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { ConnectionState, IEventsConnection } from '../api/events';
import { CapabilityNote } from '../components/CapabilityNote';
import { EmptyState } from '../components/EmptyState';
import { StatusBadge, StatusTone } from '../components/StatusBadge';
import { jobsIcon } from '../icons';
import {
  Features,
  IJwstLabClient,
  PanelIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { JwstLabSidePanel } from './panel';
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
    this._events.connectionStateChanged.connect(this.updateBody, this);
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
    this._statusFilterChanged.emit(value);
    this.updateBody();
  }

  /** Emitted when the status filter changes. */
  get statusFilterChanged(): ISignal<this, JobStatusFilter> {
    return this._statusFilterChanged;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._events.connectionStateChanged.disconnect(this.updateBody, this);
    super.dispose();
  }

  protected renderBody(): React.ReactElement {
    return (
      <JobsView
        client={this._client}
        trans={this._jwstTrans}
        statusFilter={this._statusFilter}
        onStatusFilterChange={value => (this.statusFilter = value)}
        connectionState={this._events.connectionState}
      />
    );
  }

  private readonly _client: IJwstLabClient;
  private readonly _events: IEventsConnection;
  private readonly _jwstTrans: TranslationBundle;
  private _statusFilter: JobStatusFilter;
  private _statusFilterChanged = new Signal<this, JobStatusFilter>(this);
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
    translator?: ITranslator;
  }
}

interface IJobsViewProps {
  client: IJwstLabClient;
  trans: TranslationBundle;
  statusFilter: JobStatusFilter;
  onStatusFilterChange: (value: JobStatusFilter) => void;
  connectionState: ConnectionState;
}

function JobsView(props: IJobsViewProps): JSX.Element {
  const { client, trans, statusFilter, onStatusFilterChange, connectionState } =
    props;
  const { state } = useServerInfo(client);
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
      <EmptyState message={emptyMessage(statusFilter, trans)} />
    </div>
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
