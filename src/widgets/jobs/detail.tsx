import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { IEventsConnection } from '../../api/events';
import type { IJobRecord } from '../../api/models';
import { baseName, formatBytes } from '../../components/format';
import { JobProgress } from '../../components/JobProgress';
import { KeyValueTable } from '../../components/KeyValueTable';
import { RecordPlaceholder } from '../../components/RecordPlaceholder';
import { JobElapsed, JobStatusBadge, useNow } from '../../components/jobStatus';
import { jobsIcon } from '../../icons';
import { JobDetailModel, JobNotice } from '../../models/jobDetailModel';
import { isFinal, SHORT_ID_LENGTH } from '../../models/jobRecord';
import { useModel } from '../../models/useModel';
import { IJwstLabClient } from '../../tokens';
import { loadTrans } from '../../translation';
import { ModelTab } from '../modelTab';
import { LogViewer } from './logViewer';
import { QuickLook } from './quickLook';
import { spectralKind } from '../../models/spectraModels';
import { jobCaption, jobTitleText } from './title';

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
  /** Open the tab of the run a job belongs to, when the host can. */
  openRun?(id: string): void;
  /** Open a spectral product (x1d, s2d, s3d) as a plot, when the host can. */
  openSpectrum?(path: string): void;
}

/** Props of {@link JobDetailView}. */
export interface IJobDetailViewProps {
  model: JobDetailModel;
  trans: TranslationBundle;
  actions: IJobDetailActions;
}

/**
 * One job in full: status and progress, actions (cancel, rerun, delete,
 * copy as strun / Python), the live log, outputs with the quick look, and
 * provenance. Kept up to date by the model's `JobTracker`.
 */
export function JobDetailView(props: IJobDetailViewProps): JSX.Element {
  const { trans, actions } = props;
  const model = useModel(props.model);
  const job = model.job;
  const running = job !== null && !isFinal(job.status);
  const now = useNow(running ? 1000 : 0);

  if (model.deleted || job === null) {
    return (
      <RecordPlaceholder
        className="jp-JwstLab-jobDetail"
        deleted={
          model.deleted ? trans.__('Job %1 was deleted.', model.jobId) : null
        }
        error={
          model.loadError
            ? trans.__(
                'Cannot load job %1: %2',
                model.jobId,
                model.loadError.message
              )
            : null
        }
        loading={trans.__('Loading job %1…', model.jobId)}
      />
    );
  }

  const busy = model.busy;
  const cancel = () => void model.cancel();
  const rerun = async () => {
    const created = await model.rerun();
    if (created) {
      actions.openJob(created.id);
    }
  };
  const remove = () =>
    void model.remove(() =>
      actions.confirm(
        trans.__('Delete job %1?', job.id),
        trans.__(
          'The job’s record and log are deleted; its output files stay in %1.',
          job.output_dir
        )
      )
    );
  const copy = (kind: 'strun' | 'python') => {
    const text = job.commands[kind];
    if (text) {
      actions.copy(text);
      model.copied(kind);
    }
  };
  const notice = model.notice ? noticeText(model.notice, trans) : null;
  const actionError = model.actionError?.message ?? null;

  const final = isFinal(job.status);
  const outputs = (
    <Outputs model={model} job={job} trans={trans} actions={actions} />
  );
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
        <JobStatusBadge status={job.status} trans={trans} />
        <JobElapsed job={job} now={now} trans={trans} />
      </header>
      <JobProgress job={job} trans={trans} />
      <StepTimes job={job} trans={trans} />
      {job.run_id && (
        <p className="jp-JwstLab-jobRun">
          {trans.__('Part of run %1.', job.run_id)}{' '}
          {actions.openRun && (
            <button
              type="button"
              className="jp-JwstLab-linkButton"
              onClick={() => actions.openRun?.(job.run_id as string)}
            >
              {trans.__('Open the run')}
            </button>
          )}
        </p>
      )}
      {job.reason === 'out_of_memory' && (
        <p className="jp-JwstLab-jobError" role="alert">
          {trans.__(
            'The system stopped this job for lack of memory: run fewer jobs at once, or lower memory_limit so that fewer are admitted together.'
          )}
        </p>
      )}
      {job.resources && (
        <p className="jp-JwstLab-jobResources">
          {trans.__(
            'Used: peak memory %1 · CPU %2 s · wall %3 s · wrote %4',
            formatBytes(job.resources.peak_rss_bytes),
            job.resources.cpu_seconds.toFixed(1),
            job.resources.wall_seconds.toFixed(1),
            formatBytes(job.resources.bytes_written)
          )}
          {job.memory_estimate_bytes !== null &&
            ` ${trans.__('(estimated %1)', formatBytes(job.memory_estimate_bytes))}`}
        </p>
      )}
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
            onClick={cancel}
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
            onClick={remove}
          >
            {trans.__('Delete')}
          </button>
        )}
        {job.commands.strun && (
          <button
            type="button"
            className="jp-JwstLab-actionButton"
            onClick={() => copy('strun')}
            title={job.commands.strun}
          >
            {trans.__('Copy as strun')}
          </button>
        )}
        {job.commands.python && (
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
        <LogViewer model={model.log} trans={trans} />
      </section>
      {!final && outputs}
      <Provenance job={job} trans={trans} />
    </div>
  );
}

function Outputs(props: {
  model: JobDetailModel;
  job: IJobRecord;
  trans: TranslationBundle;
  actions: IJobDetailActions;
}): JSX.Element {
  const { model, job, trans, actions } = props;
  // A failed or cancelled job's files are listed apart: they may be incomplete.
  const partial = job.outputs.length === 0 && job.partial_outputs.length > 0;
  const paths = partial ? job.partial_outputs : job.outputs;
  const warnings = job.warnings;
  const images = previewableOutputs(paths);
  const preview = model.preview;
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
              {actions.openSpectrum && spectralKind(path) && (
                <button
                  type="button"
                  className="jp-mod-styled jp-JwstLab-spectrumButton"
                  onClick={() => actions.openSpectrum?.(path)}
                  aria-label={trans.__('Plot %1', baseName(path))}
                >
                  {spectralKind(path) === 's3d'
                    ? trans.__('Open cube')
                    : trans.__('Plot spectrum')}
                </button>
              )}
              {images.includes(path) && (
                <button
                  type="button"
                  className="jp-mod-styled jp-JwstLab-quickLookButton"
                  aria-pressed={preview?.path === path}
                  onClick={() => model.togglePreview(path)}
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
      {preview && <QuickLook model={preview} trans={trans} />}
    </section>
  );
}

/** Seconds as the step bars say them: `0.4 s`, `12 s`, `2 min 5 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) {
    return `${seconds.toFixed(1)} s`;
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * Where the time went: a bar per pipeline step, placed on one time axis from
 * the pipeline's start (the server reads the times from stpipe's log lines).
 */
export function StepTimes({
  job,
  trans
}: {
  job: IJobRecord;
  trans: TranslationBundle;
}): JSX.Element | null {
  const times = job.progress.step_times ?? [];
  if (times.length === 0) {
    return null;
  }
  const span = Math.max(
    ...times.map(time => time.start + (time.seconds ?? 0)),
    0.001
  );
  const percent = (value: number) => `${((100 * value) / span).toFixed(2)}%`;
  return (
    <section
      className="jp-JwstLab-jobSection jp-JwstLab-stepTimesSection"
      aria-label={trans.__('Time per step')}
    >
      <h3>{trans.__('Time per step')}</h3>
      <ol className="jp-JwstLab-stepTimes">
        {times.map((time, index) => {
          const running = time.seconds === null || time.seconds === undefined;
          const text = running
            ? trans.__('running')
            : time.skipped
              ? trans.__('skipped')
              : formatSeconds(time.seconds as number);
          return (
            <li
              key={`${time.name}:${index}`}
              className="jp-JwstLab-stepTime"
              data-step={time.name}
              data-state={
                running ? 'running' : time.skipped ? 'skipped' : 'done'
              }
              title={trans.__(
                '%1: started %2 after the pipeline, %3',
                time.name,
                formatSeconds(time.start),
                text
              )}
            >
              <span className="jp-JwstLab-stepTimeName">{time.name}</span>
              <span className="jp-JwstLab-stepTimeTrack">
                <span
                  className="jp-JwstLab-stepTimeBar"
                  style={{
                    left: percent(time.start),
                    width: running
                      ? `calc(100% - ${percent(time.start)})`
                      : percent(time.seconds as number)
                  }}
                />
              </span>
              <span className="jp-JwstLab-stepTimeText">{text}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Provenance({
  job,
  trans
}: {
  job: IJobRecord;
  trans: TranslationBundle;
}): JSX.Element {
  const versions = Object.entries(job.versions);
  const rows: [string, React.ReactNode][] = [
    [trans.__('Job id'), job.id],
    [trans.__('Input'), job.input || '—'],
    [trans.__('Output folder'), job.output_dir || '—'],
    [
      trans.__('CRDS context requested'),
      job.crds_context_requested ?? trans.__('server default')
    ],
    [
      trans.__('CRDS context used'),
      job.crds_context_used ??
        (isFinal(job.status) ? '—' : trans.__('known once the run starts'))
    ],
    [trans.__('Executor'), job.executor || '—'],
    [trans.__('Created'), job.created || '—'],
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
  const steps = Object.keys(job.steps).length > 0;
  return (
    <section
      className="jp-JwstLab-jobSection jp-JwstLab-provenance"
      aria-label={trans.__('Provenance')}
    >
      <h3>{trans.__('Provenance')}</h3>
      <KeyValueTable className="jp-JwstLab-provenanceTable" rows={rows} />
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
      {job.argv.length > 0 && (
        <details>
          <summary>{trans.__('Arguments (argv)')}</summary>
          <pre>{job.argv.join(' ')}</pre>
        </details>
      )}
    </section>
  );
}

/** What the tab says after an action went through. */
function noticeText(notice: JobNotice, trans: TranslationBundle): string {
  switch (notice.kind) {
    case 'cancelling':
      return trans.__('Cancelling…');
    case 'rerun':
      return trans.__('Rerun queued as job %1.', notice.id);
    case 'copied':
      return notice.what === 'strun'
        ? trans.__('The strun command is on the clipboard.')
        : trans.__('The Python code is on the clipboard.');
  }
}

/**
 * A main-area tab with one job's details; restored after a page reload. It
 * owns the job's model: closing the tab stops following the job.
 */
export class JobDetailWidget extends ModelTab<JobDetailModel> {
  /** Create the tab for job `options.jobId`. */
  constructor(options: JobDetailWidget.IOptions) {
    const trans = loadTrans(options.translator);
    const model = new JobDetailModel({
      client: options.client,
      events: options.events,
      jobId: options.jobId
    });
    super({
      model,
      element: (
        <JobDetailView model={model} trans={trans} actions={options.actions} />
      ),
      contentClass: 'jp-JwstLab-jobDetailContent',
      label: trans.__('Job %1', options.jobId.slice(0, SHORT_ID_LENGTH)),
      icon: jobsIcon
    });
    this.jobId = options.jobId;
    this._trans = trans;
    this.id = `jwst-lab-job-${options.jobId}`;
    this.addClass('jp-JwstLab-jobDetailWidget');
    model.tracker.changed.connect(this._setTitle, this);
    model.removed.connect(() => this._deleted.emit(), this);
  }

  /** The job shown. */
  readonly jobId: string;

  /** Emitted when the user deleted the job from this tab. */
  get deleted(): ISignal<this, void> {
    return this._deleted;
  }

  private _setTitle(): void {
    const job = this.model.job;
    if (!job) {
      return;
    }
    const trans = this._trans;
    this.title.label = jobTitleText(job, trans);
    this.title.caption = jobCaption(job, trans);
    this.title.dataset = { ...this.title.dataset, status: job.status };
  }

  private readonly _trans: TranslationBundle;
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
