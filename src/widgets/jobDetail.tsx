import { MainAreaWidget } from '@jupyterlab/apputils';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { IEventsConnection } from '../api/events';
import type { EventsStreamMessage, IJobRecord, JobStatus } from '../api/types';
import { JobProgress } from '../components/JobProgress';
import { jobStatusLabel, jobStatusTone, useNow } from '../components/jobStatus';
import { StatusBadge } from '../components/StatusBadge';
import { jobsIcon } from '../icons';
import { IJwstLabClient, TRANSLATION_DOMAIN } from '../tokens';
import {
  baseName,
  formatElapsed,
  normalizeJob,
  normalizeProgress
} from './jobsModel';
import { LogModel } from './logModel';
import { LogViewer } from './logViewer';

/** Job states after which nothing changes any more. */
export const FINAL_STATUSES: readonly JobStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'interrupted'
];

/** Whether a job has ended. */
export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Outputs that have a quick look: 2-D images (mosaics first). */
export function previewableOutputs(outputs: readonly string[]): string[] {
  const rank = (path: string) =>
    /_i2d\.fits$/i.test(path)
      ? 0
      : /_(s2d|cal|rate|crf)\.fits$/i.test(path)
        ? 1
        : -1;
  return outputs
    .filter(path => rank(path) >= 0)
    .sort((a, b) => rank(a) - rank(b));
}

/** What the detail view asks its host to do (the plugin opens files, copies, asks). */
export interface IJobDetailActions {
  /** Open a file of the server root in JupyterLab. */
  openFile(path: string): void;
  /** Show a file's folder in the file browser, with the file selected. */
  showInFileBrowser(path: string): void;
  /** Put text on the clipboard. */
  copy(text: string): void;
  /** Ask the user to confirm; resolves true to go on. */
  confirm(title: string, message: string): Promise<boolean>;
  /** Open the details of another job (e.g. a rerun). */
  openJob(id: string): void;
}

/** Props of {@link JobDetailView}. */
export interface IJobDetailViewProps {
  client: IJwstLabClient;
  events: IEventsConnection | null;
  jobId: string;
  trans: TranslationBundle;
  actions: IJobDetailActions;
  /** Called when the job was deleted here or elsewhere. */
  onDeleted?: () => void;
  /** Called whenever the job record changes (e.g. to update a tab title). */
  onJob?: (job: IJobRecord) => void;
  /** Log polling interval in ms (default 2000; 0 in tests). */
  logPollInterval?: number;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One job in full: status and progress, actions (cancel, rerun, delete,
 * copy as strun / Python), the live log, outputs with the quick look, and
 * provenance. Kept up to date from the events stream.
 */
export function JobDetailView(props: IJobDetailViewProps): JSX.Element {
  const {
    client,
    events,
    jobId,
    trans,
    actions,
    onDeleted,
    onJob,
    logPollInterval
  } = props;
  const [job, setJob] = React.useState<IJobRecord | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [deleted, setDeleted] = React.useState(false);
  const [busy, setBusy] = React.useState<string | null>(null);
  const [actionError, setActionError] = React.useState<string | null>(null);
  const [notice, setNotice] = React.useState<string | null>(null);
  const [log, setLog] = React.useState<LogModel | null>(null);

  const update = React.useCallback(
    (next: IJobRecord) => {
      setJob(next);
      onJob?.(next);
    },
    [onJob]
  );

  React.useEffect(() => {
    let cancelled = false;
    client.getJob(jobId).then(
      value => {
        const normalized = normalizeJob(value);
        if (!cancelled && normalized) {
          update(normalized);
        }
      },
      error => {
        if (!cancelled) {
          setLoadError(errorMessage(error));
        }
      }
    );
    const model = new LogModel({
      client,
      jobId,
      events,
      pollInterval: logPollInterval
    });
    setLog(model);
    const onEvent = (_: IEventsConnection, message: EventsStreamMessage) => {
      const id = (message as { job_id?: unknown }).job_id;
      if (message.type === 'events.dropped') {
        client.getJob(jobId).then(
          value => {
            const normalized = normalizeJob(value);
            if (!cancelled && normalized) {
              update(normalized);
            }
          },
          () => undefined
        );
        return;
      }
      if (id !== jobId) {
        return;
      }
      if (message.type === 'job.updated' || message.type === 'job.created') {
        const normalized = normalizeJob((message as { job?: unknown }).job);
        if (normalized) {
          update(normalized);
        }
      } else if (message.type === 'job.progress') {
        const progress = (message as { progress?: unknown }).progress;
        setJob(current =>
          current
            ? {
                ...current,
                progress: normalizeProgress({
                  ...current.progress,
                  ...(progress as object)
                })
              }
            : current
        );
      } else if (message.type === 'job.deleted') {
        setDeleted(true);
      }
    };
    // Events published while the socket was down (a server restart) are lost: reload.
    const onConnection = (_: IEventsConnection, state: string) => {
      if (state === 'open') {
        onEvent(events!, { type: 'events.dropped', count: 0 });
        void model.pull();
      }
    };
    events?.events.connect(onEvent);
    events?.connectionStateChanged.connect(onConnection);
    return () => {
      cancelled = true;
      events?.events.disconnect(onEvent);
      events?.connectionStateChanged.disconnect(onConnection);
      model.dispose();
    };
  }, [client, events, jobId]);

  const running = job !== null && !isFinal(job.status);
  const now = useNow(running ? 1000 : 0);

  if (deleted) {
    return (
      <div className="jp-JwstLab-jobDetail">
        <p className="jp-JwstLab-emptyState" role="status">
          {trans.__('Job %1 was deleted.', jobId)}
        </p>
      </div>
    );
  }
  if (job === null) {
    return (
      <div className="jp-JwstLab-jobDetail">
        {loadError ? (
          <p className="jp-JwstLab-jobsError" role="alert">
            {trans.__('Cannot load job %1: %2', jobId, loadError)}
          </p>
        ) : (
          <p role="status" aria-busy="true">
            {trans.__('Loading job %1…', jobId)}
          </p>
        )}
      </div>
    );
  }

  const act = async (name: string, action: () => Promise<void>) => {
    setBusy(name);
    setActionError(null);
    setNotice(null);
    try {
      await action();
    } catch (error) {
      setActionError(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  const cancel = () =>
    act('cancel', async () => {
      const answer = normalizeJob(await client.cancelJob(job.id));
      if (answer) {
        update(answer);
      }
      setNotice(trans.__('Cancelling…'));
    });
  const rerun = () =>
    act('rerun', async () => {
      const answer = await client.rerunJob(job.id);
      setNotice(trans.__('Rerun queued as job %1.', answer.id));
      actions.openJob(answer.id);
    });
  const remove = () =>
    act('delete', async () => {
      const ok = await actions.confirm(
        trans.__('Delete job %1?', job.id),
        trans.__(
          'The job’s record and log are deleted; its output files stay in %1.',
          job.output_dir ?? ''
        )
      );
      if (!ok) {
        return;
      }
      await client.deleteJob(job.id);
      setDeleted(true);
      onDeleted?.();
    });
  const copy = (kind: 'strun' | 'python') => {
    const text = job.commands?.[kind];
    if (text) {
      actions.copy(text);
      setNotice(
        kind === 'strun'
          ? trans.__('The strun command is on the clipboard.')
          : trans.__('The Python code is on the clipboard.')
      );
    }
  };

  const final = isFinal(job.status);
  const outputs = (
    <Outputs job={job} trans={trans} client={client} actions={actions} />
  );
  const elapsed = formatElapsed(job, now);
  const title =
    job.pipeline ??
    (job.kind === 'download'
      ? trans.__('Download')
      : job.kind === 'crds_fetch'
        ? trans.__('Fetch CRDS references')
        : trans.__('Job'));
  return (
    <div
      className="jp-JwstLab-jobDetail"
      data-job-id={job.id}
      data-status={job.status}
    >
      <header className="jp-JwstLab-jobDetailHeader">
        <h2 className="jp-JwstLab-jobDetailTitle">
          {title}
          {job.input && (
            <span className="jp-JwstLab-jobDetailInput" title={job.input}>
              {baseName(job.input)}
            </span>
          )}
        </h2>
        <StatusBadge
          tone={jobStatusTone(job.status)}
          className="jp-JwstLab-jobStatus"
        >
          {jobStatusLabel(job.status, trans)}
        </StatusBadge>
        {elapsed && (
          <span
            className="jp-JwstLab-jobElapsed"
            title={trans.__('Elapsed time')}
          >
            {elapsed}
          </span>
        )}
      </header>
      <JobProgress job={job} trans={trans} />
      <div
        className="jp-JwstLab-jobActions"
        role="toolbar"
        aria-label={trans.__('Job actions')}
      >
        {!final && (
          <button
            type="button"
            className="jp-JwstLab-actionButton"
            data-kind="warn"
            disabled={busy !== null}
            onClick={() => void cancel()}
          >
            {trans.__('Cancel')}
          </button>
        )}
        {final && job.kind === 'pipeline' && (
          <button
            type="button"
            className="jp-JwstLab-actionButton"
            data-kind="accept"
            disabled={busy !== null}
            onClick={() => void rerun()}
          >
            {trans.__('Rerun')}
          </button>
        )}
        {final && (
          <button
            type="button"
            className="jp-JwstLab-actionButton"
            disabled={busy !== null}
            onClick={() => void remove()}
          >
            {trans.__('Delete')}
          </button>
        )}
        {job.commands?.strun && (
          <button
            type="button"
            className="jp-JwstLab-actionButton"
            onClick={() => copy('strun')}
            title={job.commands.strun}
          >
            {trans.__('Copy as strun')}
          </button>
        )}
        {job.commands?.python && (
          <button
            type="button"
            className="jp-JwstLab-actionButton"
            onClick={() => copy('python')}
            title={job.commands.python}
          >
            {trans.__('Copy as Python')}
          </button>
        )}
      </div>
      {notice && (
        <p className="jp-JwstLab-jobNotice" role="status">
          {notice}
        </p>
      )}
      {actionError && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {actionError}
        </p>
      )}
      {job.error && (
        <pre className="jp-JwstLab-jobDetailError" role="alert">
          {job.error}
        </pre>
      )}
      {/* Once the job has ended, its outputs matter most: they come first. */}
      {final && outputs}
      <section
        className="jp-JwstLab-jobSection jp-JwstLab-jobLog"
        aria-label={trans.__('Log')}
      >
        <h3>{trans.__('Log')}</h3>
        {log && <LogViewer model={log} trans={trans} />}
      </section>
      {!final && outputs}
      <Provenance job={job} trans={trans} />
    </div>
  );
}

function Outputs(props: {
  job: IJobRecord;
  trans: TranslationBundle;
  client: IJwstLabClient;
  actions: IJobDetailActions;
}): JSX.Element {
  const { job, trans, client, actions } = props;
  // A failed or cancelled job's files are listed apart: they may be incomplete.
  const partial =
    job.outputs.length === 0 && (job.partial_outputs?.length ?? 0) > 0;
  const paths = partial ? (job.partial_outputs ?? []) : job.outputs;
  const warnings = job.warnings ?? [];
  const images = previewableOutputs(paths);
  const [preview, setPreview] = React.useState<string | null>(null);
  return (
    <section
      className="jp-JwstLab-jobSection jp-JwstLab-jobOutputs"
      aria-label={partial ? trans.__('Partial outputs') : trans.__('Outputs')}
    >
      <h3>{partial ? trans.__('Partial outputs') : trans.__('Outputs')}</h3>
      {partial && (
        <p className="jp-JwstLab-outputsPartialNote" role="note">
          {trans.__(
            'The job did not succeed: these files may be incomplete. They are kept so you can look at what was done.'
          )}
        </p>
      )}
      {paths.length === 0 ? (
        <p className="jp-JwstLab-emptyStateMessage">
          {isFinal(job.status)
            ? trans.__('This job produced no files.')
            : trans.__('Files appear here when the job has ended.')}
        </p>
      ) : (
        <ul
          className={
            partial
              ? 'jp-JwstLab-outputList jp-mod-partial'
              : 'jp-JwstLab-outputList'
          }
        >
          {paths.map(path => (
            <li key={path} className="jp-JwstLab-output" data-path={path}>
              <span className="jp-JwstLab-outputName" title={path}>
                {baseName(path)}
              </span>
              {!/\.fits$/i.test(path) && (
                // JupyterLab has no FITS viewer: FITS images get the quick look.
                <button
                  type="button"
                  className="jp-mod-styled"
                  onClick={() => actions.openFile(path)}
                  aria-label={trans.__('Open %1', baseName(path))}
                >
                  {trans.__('Open')}
                </button>
              )}
              <button
                type="button"
                className="jp-mod-styled"
                onClick={() => actions.showInFileBrowser(path)}
                aria-label={trans.__(
                  'Show %1 in the file browser',
                  baseName(path)
                )}
              >
                {trans.__('Show in file browser')}
              </button>
              {images.includes(path) && (
                <button
                  type="button"
                  className="jp-mod-styled jp-JwstLab-quickLookButton"
                  aria-pressed={preview === path}
                  onClick={() => setPreview(preview === path ? null : path)}
                  aria-label={trans.__('Quick look at %1', baseName(path))}
                >
                  {trans.__('Quick look')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul
          className="jp-JwstLab-outputWarnings"
          aria-label={trans.__('Not listed')}
        >
          {warnings.map(warning => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {preview && (
        <QuickLook key={preview} client={client} path={preview} trans={trans} />
      )}
    </section>
  );
}

/** Props of {@link QuickLook}. */
export interface IQuickLookProps {
  client: IJwstLabClient;
  path: string;
  trans: TranslationBundle;
}

/**
 * A PNG quick look of a 2-D image from `GET /previews`, fetched through the
 * client (with the server's credentials) and shown from an object URL.
 */
export function QuickLook({
  client,
  path,
  trans
}: IQuickLookProps): JSX.Element {
  const [stretch, setStretch] = React.useState<'asinh' | 'zscale'>('asinh');
  const [state, setState] = React.useState<
    | { status: 'loading' }
    | { status: 'ready'; url: string }
    | { status: 'error'; message: string }
  >({ status: 'loading' });
  React.useEffect(() => {
    let url: string | null = null;
    let cancelled = false;
    setState({ status: 'loading' });
    client.getPreview(path, { stretch }).then(
      blob => {
        if (cancelled) {
          return;
        }
        url = URL.createObjectURL(blob);
        setState({ status: 'ready', url });
      },
      error => {
        if (!cancelled) {
          setState({ status: 'error', message: errorMessage(error) });
        }
      }
    );
    return () => {
      cancelled = true;
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [client, path, stretch]);
  const id = `jp-JwstLab-stretch-${path.replace(/[^\w-]/g, '-')}`;
  return (
    <figure className="jp-JwstLab-quickLook" data-path={path}>
      <div className="jp-JwstLab-quickLookToolbar">
        <label htmlFor={id}>{trans.__('Stretch')}</label>
        <select
          id={id}
          className="jp-mod-styled"
          value={stretch}
          onChange={event =>
            setStretch(event.target.value === 'zscale' ? 'zscale' : 'asinh')
          }
        >
          <option value="asinh">asinh</option>
          <option value="zscale">zscale</option>
        </select>
      </div>
      {state.status === 'loading' && (
        <p role="status" aria-busy="true">
          {trans.__('Rendering the quick look…')}
        </p>
      )}
      {state.status === 'error' && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__('No quick look: %1', state.message)}
        </p>
      )}
      {state.status === 'ready' && (
        <img
          className="jp-JwstLab-quickLookImage"
          src={state.url}
          alt={trans.__(
            'Quick look of %1 (%2 stretch)',
            baseName(path),
            stretch
          )}
        />
      )}
      <figcaption>{baseName(path)}</figcaption>
    </figure>
  );
}

function Provenance({
  job,
  trans
}: {
  job: IJobRecord;
  trans: TranslationBundle;
}): JSX.Element {
  const versions = Object.entries(job.versions ?? {});
  const rows: [string, React.ReactNode][] = [
    [trans.__('Job id'), job.id],
    [trans.__('Input'), job.input ?? '—'],
    [trans.__('Output folder'), job.output_dir ?? '—'],
    [
      trans.__('CRDS context requested'),
      job.crds_context_requested ?? trans.__('server default')
    ],
    [
      trans.__('CRDS context used'),
      job.crds_context_used ??
        (isFinal(job.status) ? '—' : trans.__('known once the run starts'))
    ],
    [trans.__('Executor'), job.executor ?? '—'],
    [trans.__('Created'), job.created ?? '—'],
    [trans.__('Started'), job.started ?? '—'],
    [trans.__('Finished'), job.finished ?? '—'],
    [trans.__('Exit code'), job.exit_code ?? '—']
  ];
  if (job.rerun_of) {
    rows.push([trans.__('Rerun of'), job.rerun_of]);
  }
  versions.forEach(([name, version]) =>
    rows.push([trans.__('%1 version', name), version ?? '—'])
  );
  const steps = job.steps && Object.keys(job.steps as object).length > 0;
  return (
    <section
      className="jp-JwstLab-jobSection jp-JwstLab-provenance"
      aria-label={trans.__('Provenance')}
    >
      <h3>{trans.__('Provenance')}</h3>
      <table className="jp-JwstLab-provenanceTable">
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>{trans.__('Steps as requested')}</summary>
        <pre>
          {steps ? JSON.stringify(job.steps, null, 2) : trans.__('defaults')}
        </pre>
      </details>
      <details>
        <summary>{trans.__('Parameters (fully merged)')}</summary>
        <pre>
          {job.params
            ? JSON.stringify(job.params, null, 2)
            : trans.__('Known once the run has started.')}
        </pre>
      </details>
      {job.argv && job.argv.length > 0 && (
        <details>
          <summary>{trans.__('Arguments (argv)')}</summary>
          <pre>{job.argv.join(' ')}</pre>
        </details>
      )}
    </section>
  );
}

/**
 * A main-area tab with one job's details; restored after a page reload.
 */
export class JobDetailWidget extends MainAreaWidget<ReactWidget> {
  /** Create the tab for job `options.jobId`. */
  constructor(options: JobDetailWidget.IOptions) {
    const trans = (options.translator ?? nullTranslator).load(
      TRANSLATION_DOMAIN
    );
    // The view calls back into the widget, which exists only after super().
    const self: { widget: JobDetailWidget | null } = { widget: null };
    const content = ReactWidget.create(
      <JobDetailView
        client={options.client}
        events={options.events}
        jobId={options.jobId}
        trans={trans}
        actions={options.actions}
        onDeleted={() => self.widget?._deleted.emit()}
        onJob={job => self.widget?._setTitle(job, trans)}
      />
    );
    content.addClass('jp-JwstLab-jobDetailContent');
    super({ content });
    self.widget = this;
    this.jobId = options.jobId;
    this.id = `jwst-lab-job-${options.jobId}`;
    this.title.label = trans.__('Job %1', options.jobId);
    this.title.icon = jobsIcon;
    this.title.closable = true;
    this.addClass('jp-JwstLab-jobDetailWidget');
  }

  /** The job shown. */
  readonly jobId: string;

  /** Emitted when the user deleted the job from this tab. */
  get deleted(): ISignal<this, void> {
    return this._deleted;
  }

  private _setTitle(job: IJobRecord, trans: TranslationBundle): void {
    const name = job.pipeline ?? trans.__('Job');
    this.title.label = `${name} · ${job.id}`;
    this.title.caption = trans.__(
      '%1 on %2: %3',
      name,
      job.input ?? '—',
      job.status
    );
    this.title.dataset = { ...this.title.dataset, status: job.status };
  }

  private _deleted = new Signal<this, void>(this);
}

/** The namespace for `JobDetailWidget` statics. */
export namespace JobDetailWidget {
  /** Options to create a job's tab. */
  export interface IOptions {
    client: IJwstLabClient;
    events: IEventsConnection | null;
    jobId: string;
    actions: IJobDetailActions;
    translator?: ITranslator;
  }
}
