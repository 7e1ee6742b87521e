import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IEventsConnection } from '../../api/events';
import { baseName, formatElapsed } from '../../components/format';
import { useNow } from '../../components/jobStatus';
import { RecordPlaceholder } from '../../components/RecordPlaceholder';
import { jobsIcon } from '../../icons';
import { RunTracker } from '../../models/runTracker';
import { useModel } from '../../models/useModel';
import { isRunFinal, runTitle } from '../../runs/runRecord';
import { IJwstLabClient } from '../../tokens';
import { loadTrans } from '../../translation';
import { ModelTab } from '../modelTab';
import {
  MemoryChart,
  RunGraph,
  RunProgressBar,
  RunStatusBadge
} from './runParts';

/** What a run's tab asks its host to do. */
export interface IRunTabActions {
  /** Open a job's tab. */
  openJob(id: string): void;
  /** Show a folder of the server root in the file browser. */
  openFolder(path: string): void;
  /**
   * Ask before a destructive action: resolves true to go on. Without it the
   * action runs at once.
   */
  confirm?(title: string, message: string, accept: string): Promise<boolean>;
}

/** Props of {@link RunView}. */
export interface IRunViewProps {
  model: RunTracker;
  trans: TranslationBundle;
  actions: IRunTabActions;
}

/**
 * One run in full: status, progress with the time still expected, Cancel,
 * Resume and its folder, the graph of its jobs, the memory in use over time
 * against the limit, and the warnings. Kept up to date by its `RunTracker`.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { trans, actions } = props;
  const model = useModel(props.model);
  const run = model.run;
  const active = run !== null && !isRunFinal(run.status);
  const now = useNow(active ? 1000 : 0);

  if (model.deleted || run === null) {
    return (
      <RecordPlaceholder
        className="jp-JwstLab-runView"
        dataset={{ 'data-run-id': model.id }}
        deleted={
          model.deleted ? trans.__('Run %1 was deleted.', model.id) : null
        }
        error={
          model.error
            ? trans.__('Cannot load run %1: %2', model.id, model.error.message)
            : null
        }
        loading={trans.__('Loading run %1…', model.id)}
      />
    );
  }
  const elapsed = formatElapsed(run, now);
  const resumable = isRunFinal(run.status) && run.status !== 'succeeded';
  const reused = run.jobs.filter(job => job.reused).length;
  const cancel = async () => {
    const running = run.jobs.filter(job => job.status === 'running').length;
    const waiting = run.jobs.filter(
      job => job.status === 'queued' || job.status === 'planned'
    ).length;
    const confirmed = actions.confirm
      ? await actions.confirm(
          trans.__('Cancel the run?'),
          trans.__(
            '%1 running and %2 waiting jobs of %3 are stopped. The jobs done are kept: Resume reuses them and runs the rest.',
            running,
            waiting,
            runTitle(run)
          ),
          trans.__('Cancel the run')
        )
      : true;
    if (confirmed) {
      await model.cancel();
    }
  };
  return (
    <div
      className="jp-JwstLab-runView"
      data-run-id={run.id}
      data-status={run.status}
    >
      {/* Status, progress and actions stay in view while a big graph scrolls. */}
      <div className="jp-JwstLab-runViewTop">
        <header className="jp-JwstLab-runViewHeader">
          <h2 className="jp-JwstLab-runViewTitle">
            {trans.__('Reduce to Level %1', run.target_level)}
            <span className="jp-JwstLab-runViewId">{runTitle(run)}</span>
          </h2>
          <RunStatusBadge status={run.status} trans={trans} />
          {elapsed && (
            <span
              className="jp-JwstLab-jobElapsed"
              title={trans.__('Elapsed time')}
            >
              {elapsed}
            </span>
          )}
          {reused > 0 && (
            <span
              className="jp-JwstLab-runReused"
              title={trans.__(
                'Jobs whose outputs were up to date: kept, not run again.'
              )}
            >
              {trans._n('%1 job reused', '%1 jobs reused', reused)}
            </span>
          )}
        </header>
        <RunProgressBar run={run} now={now} trans={trans} />
        <div className="jp-JwstLab-runViewActions">
          {active && (
            <button
              type="button"
              className="jp-mod-styled jp-mod-warn"
              disabled={model.busy !== null}
              onClick={() => void cancel()}
            >
              {model.busy === 'cancel'
                ? trans.__('Cancelling…')
                : trans.__('Cancel')}
            </button>
          )}
          {!active && (
            <button
              type="button"
              className={`jp-mod-styled ${resumable ? 'jp-mod-accept' : ''}`}
              disabled={model.busy !== null}
              title={trans.__(
                'Run again what is not complete; jobs whose outputs are up to date are reused.'
              )}
              onClick={() => void model.resume()}
            >
              {model.busy === 'resume'
                ? trans.__('Resuming…')
                : trans.__('Resume')}
            </button>
          )}
          <button
            type="button"
            className="jp-mod-styled"
            disabled={!run.output_dir}
            title={run.output_dir}
            onClick={() => actions.openFolder(run.output_dir)}
          >
            {trans.__(
              'Show %1 in the file browser',
              baseName(run.output_dir) || '…'
            )}
          </button>
        </div>
      </div>
      {model.actionError && (
        <p className="jp-JwstLab-jobsError" role="alert">
          {model.actionError.message}
        </p>
      )}
      {run.error && (
        <p className="jp-JwstLab-jobError" role="alert">
          {run.error}
        </p>
      )}
      <section className="jp-JwstLab-runSection">
        <h3>{trans.__('Jobs')}</h3>
        <RunLegend trans={trans} />
        <RunGraph run={run} trans={trans} onOpenJob={actions.openJob} />
      </section>
      <section className="jp-JwstLab-runSection">
        <h3>{trans.__('Memory in use')}</h3>
        <MemoryChart
          samples={model.memory}
          end={active ? now : Date.parse(run.finished ?? '') || now}
          trans={trans}
        />
        <p className="jp-JwstLab-runParamHelp">
          {trans.__(
            'The estimates of the run’s running jobs; a job starts only when its estimate fits under the limit.'
          )}
        </p>
      </section>
      {(run.warnings ?? []).length > 0 && (
        <section className="jp-JwstLab-runSection">
          <h3>{trans.__('Warnings')}</h3>
          <ul className="jp-JwstLab-planWarnings">
            {(run.warnings ?? []).map((line, index) => (
              <li key={`${index}:${line}`}>{line}</li>
            ))}
          </ul>
        </section>
      )}
      <section className="jp-JwstLab-runSection">
        <h3>{trans.__('Provenance')}</h3>
        <dl className="jp-JwstLab-runFacts">
          <dt>{trans.__('Inputs')}</dt>
          <dd>{run.inputs.join(', ')}</dd>
          <dt>{trans.__('Folder')}</dt>
          <dd>
            <code>{run.output_dir}</code>
          </dd>
          <dt>{trans.__('CRDS context used')}</dt>
          <dd>
            {run.crds_context_used ??
              run.crds_context_requested ??
              trans.__('not known yet')}
          </dd>
          <dt>{trans.__('Manifest')}</dt>
          <dd>
            <code>{run.manifest}</code>
          </dd>
          <dt>{trans.__('Associations')}</dt>
          <dd>
            {run.associations.length === 0
              ? trans.__('none yet')
              : run.associations.map(asn => baseName(asn.path)).join(', ')}
          </dd>
        </dl>
      </section>
    </div>
  );
}

/** What the node colours mean. */
function RunLegend({ trans }: { trans: TranslationBundle }): JSX.Element {
  const items: [string, string][] = [
    ['queued', trans.__('Queued')],
    ['running', trans.__('Running')],
    ['succeeded', trans.__('Succeeded')],
    ['failed', trans.__('Failed')],
    ['cancelled', trans.__('Cancelled')]
  ];
  return (
    <ul className="jp-JwstLab-runLegend" aria-hidden="true">
      {items.map(([status, label]) => (
        <li key={status} data-status={status}>
          <span className="jp-JwstLab-runLegendSwatch" />
          {label}
        </li>
      ))}
      <li data-reused="true">↺ {trans.__('reused')}</li>
    </ul>
  );
}

/**
 * A main-area tab with one run; restored after a page reload. It owns the
 * run's tracker: closing the tab stops following the run.
 */
export class RunTab extends ModelTab<RunTracker> {
  /** Create the tab for run `options.runId`. */
  constructor(options: RunTab.IOptions) {
    const trans = loadTrans(options.translator);
    const model = new RunTracker({
      client: options.client,
      events: options.events,
      run: options.runId
    });
    super({
      model,
      element: (
        <RunView model={model} trans={trans} actions={options.actions} />
      ),
      contentClass: 'jp-JwstLab-runViewContent',
      label: trans.__('Run %1', options.runId.slice(0, 8)),
      icon: jobsIcon
    });
    this.runId = options.runId;
    this._trans = trans;
    this.id = `jwst-lab-run-${options.runId}`;
    this.addClass('jp-JwstLab-runTab');
    model.changed.connect(this._setTitle, this);
  }

  /** The run shown. */
  readonly runId: string;

  private _setTitle(): void {
    const run = this.model.run;
    if (!run) {
      return;
    }
    this.title.label = runTitle(run);
    this.title.caption = this._trans.__(
      'Run %1 to Level %2: %3',
      run.id,
      run.target_level,
      run.status
    );
    this.title.dataset = { ...this.title.dataset, status: run.status };
  }

  private readonly _trans: TranslationBundle;
}

/** The namespace for `RunTab` statics. */
export namespace RunTab {
  /** Options to create a run's tab. */
  export interface IOptions {
    client: IJwstLabClient;
    events: IEventsConnection | null;
    runId: string;
    actions: IRunTabActions;
    translator?: ITranslator;
  }
}
