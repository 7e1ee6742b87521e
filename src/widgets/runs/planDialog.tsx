import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRunJob, IRunPlan, IRunRecord } from '../../api/models';
import { baseName, formatBytes } from '../../components/format';
import { MemoryBar } from '../../components/MemoryBar';
import { RetryButton } from '../../components/RetryButton';
import { useModel } from '../../models/useModel';
import { jobLabel } from '../../runs/graph';
import { PlanModel, TargetLevel } from '../../runs/planModel';
import { IJwstLabClient } from '../../tokens';
import { loadTrans } from '../../translation';
import {
  CrdsContextField,
  fieldId,
  PipelineStepFields,
  TextField
} from '../run/fields';
import {
  handleModalKeys,
  ModalDialog,
  ModalForm,
  useFieldFocusRequests,
  useFocusWhenReady
} from '../run/modal';

/** Props of {@link PlanForm}. */
export interface IPlanFormProps {
  model: PlanModel;
  trans: TranslationBundle;
  /** The CRDS context the server uses when none is pinned, when known. */
  serverContext: string | null;
  /** Called with the run once it was created. */
  onSubmitted: (run: IRunRecord) => void;
  onCancel: () => void;
}

/**
 * The plan of a run before it is created: its stages with their jobs and
 * each job's memory estimate against the limit, the warnings, the CRDS
 * context, the parameters of each pipeline (the run form's editor) and Run.
 * Enter runs, Escape cancels; a memory refusal offers "Run anyway".
 */
export function PlanForm(props: IPlanFormProps): JSX.Element {
  const { trans, serverContext, onSubmitted, onCancel } = props;
  const model = useModel(props.model);
  const formRef = React.useRef<HTMLFormElement>(null);
  const plan = model.plan;
  const ready = plan.value !== null;

  useFocusWhenReady(formRef, ready, '.jp-JwstLab-planSubmit:not([disabled])');

  useFieldFocusRequests(model);

  const submit = async (force: boolean) => {
    const run = await model.submit(force);
    if (run) {
      onSubmitted(run);
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) =>
    handleModalKeys(
      event,
      formRef.current,
      'button:not([disabled]), input:not([disabled]), select:not([disabled]), summary',
      onCancel
    );

  const refusal = model.refusal;
  return (
    <ModalForm
      formRef={formRef}
      className="jp-JwstLab-planForm"
      bodyClassName="jp-JwstLab-planBody"
      label={trans.__('Plan of a run')}
      title={trans.__('Reduce to Level %1', model.targetLevel)}
      onSubmit={event => {
        event.preventDefault();
        void submit(refusal !== null);
      }}
      onKeyDown={onKeyDown}
      generalError={model.generalError ? model.generalError.message : null}
      rejectLabel={trans.__('Cancel')}
      onReject={onCancel}
      submitClassName={`jp-Dialog-button jp-mod-styled jp-JwstLab-planSubmit ${
        refusal ? 'jp-mod-warn' : 'jp-mod-accept'
      }`}
      submitDisabled={!model.canSubmit}
      submitLabel={
        model.submitting
          ? trans.__('Submitting…')
          : refusal
            ? trans.__('Run anyway')
            : plan.value
              ? trans._n('Run %1 job', 'Run %1 jobs', plan.value.jobs.length)
              : trans.__('Run')
      }
    >
      <p className="jp-JwstLab-planInputs" title={model.inputs.join('\n')}>
        {model.inputs.length === 1
          ? trans.__('Inputs: %1', model.inputs[0])
          : trans.__(
              'Inputs: %1 and %2 more',
              baseName(model.inputs[0]),
              model.inputs.length - 1
            )}
      </p>
      {(plan.status === 'loading' || plan.status === 'idle') && (
        <p role="status" aria-busy="true" className="jp-JwstLab-planLoading">
          {trans.__(
            'Planning: reading the headers and building the associations…'
          )}
        </p>
      )}
      {plan.status === 'error' && (
        <div className="jp-JwstLab-runError" role="alert">
          <p>
            {trans.__('Cannot plan the run: %1', plan.error?.message ?? '')}
          </p>
          <RetryButton trans={trans} onClick={() => void model.replan()} />
        </div>
      )}
      {plan.value && <PlanView plan={plan.value} trans={trans} />}
      {refusal && (
        <div className="jp-JwstLab-planRefusal" role="alert">
          <p className="jp-JwstLab-planRefusalTitle">
            {trans.__('Not enough memory for this run')}
          </p>
          <p>{refusal.message}</p>
          <p>
            {trans.__(
              'Run anyway runs the jobs that do not fit alone, one at a time; the system may still stop them for lack of memory.'
            )}
          </p>
        </div>
      )}
      {plan.value && (
        <>
          <PipelineParams model={model} trans={trans} />
          <CrdsContextField
            trans={trans}
            value={model.crdsContext}
            serverContext={serverContext}
            help={trans.__(
              'Leave empty for the server’s context, or pin one such as jwst_1234.pmap for every job.'
            )}
            error={model.errors.crds_context}
            onChange={value => model.setCrdsContext(value)}
          />
          <TextField
            id={fieldId('output_dir')}
            label={trans.__('Run folder')}
            value={model.outputDir}
            placeholder={trans.__(
              '%1 (a new folder next to the inputs)',
              plan.value.output_dir.replace(/run_[0-9a-f]+$/i, 'run_<id>')
            )}
            help={trans.__(
              'Relative to the server root; one sub-folder per stage and a run.json manifest.'
            )}
            error={model.errors.output_dir}
            onChange={value => model.setOutputDir(value)}
          />
        </>
      )}
    </ModalForm>
  );
}

/** The plan: stages with their jobs and memory estimates, and the warnings. */
function PlanView({
  plan,
  trans
}: {
  plan: IRunPlan;
  trans: TranslationBundle;
}): JSX.Element {
  const limit = plan.memory.limit_bytes;
  const byStage = (level: number, pipeline: string): IRunJob[] =>
    plan.jobs
      .filter(job => job.level === level && job.pipeline === pipeline)
      .sort((a, b) =>
        jobLabel(a, plan.associations).localeCompare(
          jobLabel(b, plan.associations)
        )
      );
  if (plan.jobs.length === 0) {
    return (
      <div className="jp-JwstLab-emptyState jp-JwstLab-planEmpty">
        <p className="jp-JwstLab-emptyStateMessage">
          {trans.__('Nothing to run: the inputs hold no exposures to reduce.')}
        </p>
        {(plan.warnings ?? []).map((line, index) => (
          <p key={`${index}:${line}`} className="jp-JwstLab-emptyStateDetail">
            {line}
          </p>
        ))}
      </div>
    );
  }
  return (
    <div className="jp-JwstLab-plan">
      <p className="jp-JwstLab-planMemory">
        {trans.__(
          'Memory limit %1; the largest job is estimated at %2.',
          formatBytes(limit),
          formatBytes(plan.memory.peak_estimate_bytes)
        )}
      </p>
      <ol className="jp-JwstLab-planStages" aria-label={trans.__('Stages')}>
        {plan.stages.map(stage => {
          const jobs = byStage(stage.level, stage.pipeline);
          return (
            <li
              key={`${stage.level}:${stage.pipeline}`}
              className="jp-JwstLab-planStage"
              data-pipeline={stage.pipeline}
              data-jobs={stage.jobs}
            >
              <details open={plan.jobs.length <= 12}>
                <summary className="jp-JwstLab-planStageHeader">
                  <span className="jp-JwstLab-planStageName">
                    {stage.pipeline}
                  </span>
                  <span className="jp-JwstLab-planStageJobs">
                    {trans._n('%1 job', '%1 jobs', stage.jobs)}
                  </span>
                  <span
                    className="jp-JwstLab-planStageFolder"
                    title={stage.folder}
                  >
                    {baseName(stage.folder)}/
                  </span>
                </summary>
                <ul className="jp-JwstLab-planJobs">
                  {jobs.map(job => (
                    <li
                      key={job.id}
                      className="jp-JwstLab-planJob"
                      data-reused={job.reused === true}
                      title={job.input}
                    >
                      <span className="jp-JwstLab-planJobName">
                        {jobLabel(job, plan.associations)}
                      </span>
                      {job.reused && (
                        <span className="jp-JwstLab-planJobReused">
                          {trans.__('reused')}
                        </span>
                      )}
                      <MemoryBar
                        value={job.memory_estimate_bytes}
                        limit={limit}
                        label={trans.__(
                          'Memory estimate of %1',
                          jobLabel(job, plan.associations)
                        )}
                        unknown={trans.__('no estimate')}
                      />
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          );
        })}
      </ol>
      {(plan.warnings ?? []).length > 0 && (
        <ul
          className="jp-JwstLab-planWarnings"
          aria-label={trans.__('Warnings')}
        >
          {(plan.warnings ?? []).map((line, index) => (
            <li key={`${index}:${line}`}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The parameters of each pipeline of the plan, one pipeline shown at a time. */
function PipelineParams({
  model,
  trans
}: {
  model: PlanModel;
  trans: TranslationBundle;
}): JSX.Element {
  const open = model.openPipeline;
  return (
    <fieldset className="jp-JwstLab-planParams">
      <legend>{trans.__('Parameters')}</legend>
      <div className="jp-JwstLab-planParamsTabs" role="group">
        {model.pipelines.map(alias => {
          const problems = Object.keys(model.errorsOf(alias)).length;
          return (
            <button
              key={alias}
              type="button"
              className="jp-JwstLab-planParamsTab jp-mod-styled"
              aria-expanded={open === alias}
              data-pipeline={alias}
              onClick={() =>
                model.setOpenPipeline(open === alias ? null : alias)
              }
            >
              {alias}
              {problems > 0 && (
                <span className="jp-JwstLab-fieldError">
                  {' '}
                  {trans._n('%1 problem', '%1 problems', problems)}
                </span>
              )}
            </button>
          );
        })}
      </div>
      {open === null && (
        <p className="jp-JwstLab-runParamHelp">
          {trans.__(
            'Every pipeline runs with its defaults unless you change them here.'
          )}
        </p>
      )}
      {open !== null && (
        <PipelineSteps alias={open} model={model} trans={trans} />
      )}
    </fieldset>
  );
}

function PipelineSteps({
  alias,
  model,
  trans
}: {
  alias: string;
  model: PlanModel;
  trans: TranslationBundle;
}): JSX.Element {
  const spec = model.spec(alias);
  const draft = model.draft(alias);
  if (spec.status === 'error') {
    return (
      <p className="jp-JwstLab-runError" role="alert">
        {trans.__(
          'Cannot load the parameters of %1: %2',
          alias,
          spec.error?.message ?? ''
        )}
      </p>
    );
  }
  if (!spec.value || !draft) {
    return (
      <p role="status" aria-busy="true">
        {trans.__('Loading the parameters…')}
      </p>
    );
  }
  const errors = model.errorsOf(alias);
  return (
    <div className="jp-JwstLab-runSteps" data-pipeline={alias}>
      <PipelineStepFields
        spec={spec.value}
        trans={trans}
        draft={draft}
        errors={errors}
        isExpanded={step => model.isExpanded(alias, step)}
        onToggle={step => model.toggleStep(alias, step)}
        onSkip={(step, skip) => model.setSkip(alias, step, skip)}
        onParam={(step, name, value) =>
          model.setParam(alias, step, name, value)
        }
      />
    </div>
  );
}

/**
 * The plan dialog: a modal over the page hosting {@link PlanForm}. `open()`
 * resolves with the run created, or null when cancelled.
 */
export class PlanDialog extends ModalDialog<IRunRecord | null, PlanModel> {
  /** Create the dialog (the plan is asked for at once); `open()` shows it. */
  constructor(options: PlanDialog.IOptions) {
    super('jp-JwstLab-planDialog');
    this._trans = loadTrans(options.translator);
    this._serverContext = options.client.info?.crds.context ?? null;
    this.model = new PlanModel({
      client: options.client,
      inputs: options.inputs,
      targetLevel: options.targetLevel
    });
  }

  /** The dialog's state. */
  readonly model: PlanModel;

  protected cancelledResult(): IRunRecord | null {
    return null;
  }

  protected render(): JSX.Element {
    return (
      <div className="jp-Dialog-content jp-JwstLab-runDialogContent">
        <PlanForm
          model={this.model}
          trans={this._trans}
          serverContext={this._serverContext}
          onSubmitted={run => this.close(run)}
          onCancel={() => this.close(null)}
        />
      </div>
    );
  }

  private readonly _trans: TranslationBundle;
  private readonly _serverContext: string | null;
}

/** The namespace for `PlanDialog` statics. */
export namespace PlanDialog {
  /** Options to open the plan dialog. */
  export interface IOptions {
    client: IJwstLabClient;
    inputs: string[];
    targetLevel: TargetLevel;
    translator?: ITranslator;
  }
}
