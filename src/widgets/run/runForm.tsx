import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IJobRecord } from '../../api/models';
import { useModel } from '../../models/useModel';
import type { RunFormModel } from '../../run/runFormModel';
import {
  CrdsContextField,
  fieldId,
  InputList,
  PipelineStepFields,
  TextField
} from './fields';
import {
  handleModalKeys,
  ModalForm,
  useFieldFocusRequests,
  useFocusWhenReady
} from './modal';

/** Props of {@link RunForm}. */
export interface IRunFormProps {
  model: RunFormModel;
  trans: TranslationBundle;
  /** Called with the created jobs once every input has its job. */
  onSubmitted: (jobs: IJobRecord[]) => void;
  /** Called when the user cancels (Escape or the Cancel button). */
  onCancel: () => void;
  /** Put text on the system clipboard ("Copy as strun"); the command is shown either way. */
  copy?: (text: string) => void;
}

/**
 * The run form: pipeline, steps with skip toggles and parameters from the
 * spec, CRDS context and output folder; validates before it submits one
 * `POST /jobs` per input. Its state is a `RunFormModel`.
 */
export function RunForm(props: IRunFormProps): JSX.Element {
  const { trans, onSubmitted, onCancel } = props;
  const model = useModel(props.model);
  const formRef = React.useRef<HTMLFormElement>(null);
  const ready = model.ready;

  // Focus the first field once the form is shown.
  useFocusWhenReady(formRef, ready, 'select, input, button');

  // Focus the field with a problem, once its step's parameters are shown.
  useFieldFocusRequests(model);

  const { pipelines, spec, draft, errors, pending, created } = model;
  const finish = () =>
    created.length > 0 ? onSubmitted([...created]) : onCancel();

  const submit = async (event?: React.FormEvent) => {
    event?.preventDefault();
    const jobs = await model.submit();
    if (jobs) {
      onSubmitted(jobs);
    }
  };

  // Enter submits from any field, the pipeline menu and checkboxes included
  // (browsers submit only from text inputs); keep the focus inside the modal.
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (submitsOnEnter(event)) {
      event.preventDefault();
      if (ready && !model.submitting && pending.length > 0) {
        void submit();
      }
      return;
    }
    handleModalKeys(
      event,
      formRef.current,
      'button:not([disabled]), input:not([disabled]), select:not([disabled])',
      finish
    );
  };

  const alias = spec.value?.alias ?? model.pipeline;
  const title =
    pending.length > 1
      ? trans.__('Run %1 on %2 inputs', alias, pending.length)
      : trans.__('Run %1', alias);
  const serverContext = model.serverContext;

  return (
    <ModalForm
      formRef={formRef}
      label={trans.__('Run a pipeline')}
      title={title}
      onSubmit={event => void submit(event)}
      onKeyDown={onKeyDown}
      generalError={model.generalError || null}
      rejectLabel={created.length > 0 ? trans.__('Close') : trans.__('Cancel')}
      onReject={finish}
      submitClassName="jp-Dialog-button jp-mod-accept jp-mod-styled jp-JwstLab-runSubmit"
      submitDisabled={!ready || model.submitting || pending.length === 0}
      submitLabel={
        model.submitting
          ? trans.__('Submitting…')
          : pending.length > 1
            ? trans.__('Run %1 jobs', pending.length)
            : trans.__('Run')
      }
    >
      <InputList
        trans={trans}
        inputs={pending}
        associations={model.associations}
        inputErrors={model.inputErrors}
      />
      {created.length > 0 && (
        <p className="jp-JwstLab-runCreated" role="status">
          {trans._n(
            '%1 job was created; fix the problems below to run the others.',
            '%1 jobs were created; fix the problems below to run the others.',
            created.length
          )}
        </p>
      )}
      {(pipelines.status === 'loading' || pipelines.status === 'idle') && (
        <p role="status" aria-busy="true">
          {trans.__('Loading the pipelines…')}
        </p>
      )}
      {pipelines.status === 'error' && (
        <p className="jp-JwstLab-runError" role="alert">
          {pipelines.error?.message}
        </p>
      )}
      {pipelines.status === 'ready' && (
        <div className="jp-JwstLab-field">
          <label
            className="jp-JwstLab-fieldLabel"
            htmlFor={fieldId('pipeline')}
          >
            {trans.__('Pipeline')}
          </label>
          <select
            id={fieldId('pipeline')}
            className="jp-mod-styled jp-JwstLab-runPipeline"
            value={model.pipeline}
            onChange={event => model.setPipeline(event.target.value)}
          >
            {(pipelines.value ?? []).map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      )}
      {spec.status === 'error' && (
        <p className="jp-JwstLab-runError" role="alert">
          {trans.__(
            'Cannot load the parameters of %1: %2',
            model.pipeline,
            spec.error?.message ?? ''
          )}
        </p>
      )}
      {pipelines.status === 'ready' && spec.status !== 'error' && !ready && (
        <p role="status" aria-busy="true">
          {trans.__('Loading the parameters…')}
        </p>
      )}
      {spec.value && draft && (
        <>
          <fieldset className="jp-JwstLab-runSteps">
            <legend>{trans.__('Steps')}</legend>
            <EffectiveStatus model={model} trans={trans} />
            <PipelineStepFields
              spec={spec.value}
              referenceOf={step =>
                model.effective?.steps[step]?.reference ?? null
              }
              trans={trans}
              draft={draft}
              errors={errors}
              isExpanded={step => model.isExpanded(step)}
              onToggle={step => model.toggleStep(step)}
              onSkip={(step, skip) => model.setSkip(step, skip)}
              onParam={(step, name, value) => model.setParam(step, name, value)}
            />
          </fieldset>
          <CrdsContextField
            trans={trans}
            value={draft.crdsContext}
            serverContext={serverContext}
            help={trans.__(
              'Leave empty for the server’s context, or pin one such as jwst_1234.pmap.'
            )}
            error={errors.crds_context}
            onChange={value => model.setCrdsContext(value)}
          />
          <TextField
            id={fieldId('output_dir')}
            label={trans.__('Output folder')}
            value={draft.outputDir}
            placeholder={trans.__('a new folder next to the input')}
            help={
              pending.length > 1
                ? trans.__(
                    'Relative to the server root; each input gets a sub-folder. Empty: every job writes into its own new folder.'
                  )
                : trans.__(
                    'Relative to the server root; a new or empty folder. Empty: the job writes into its own new folder.'
                  )
            }
            error={errors.output_dir}
            onChange={value => model.setOutputDir(value)}
          />
          <ParameterFileTools model={model} trans={trans} copy={props.copy} />
        </>
      )}
    </ModalForm>
  );
}

/** Whether Enter in this key event submits the form (not on buttons or links). */
export function submitsOnEnter(event: React.KeyboardEvent): boolean {
  if (
    event.key !== 'Enter' ||
    event.shiftKey ||
    event.altKey ||
    event.ctrlKey ||
    event.metaKey ||
    event.nativeEvent.isComposing
  ) {
    return false;
  }
  const target = event.target as HTMLElement;
  if (target.dataset?.enter === 'own') {
    return false;
  }
  return target.tagName === 'SELECT' || target.tagName === 'INPUT';
}

/** Which CRDS context and references the values shown come from, or why they are defaults. */
function EffectiveStatus(props: {
  model: RunFormModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  const effective = model.effective;
  if (model.effectiveLoading) {
    return (
      <p className="jp-JwstLab-runEffective" role="status" aria-busy="true">
        {trans.__('Looking up the CRDS parameter references for this input…')}
      </p>
    );
  }
  if (model.effectiveError) {
    return (
      <p className="jp-JwstLab-runEffective jp-mod-warning" role="status">
        {trans.__(
          'Showing code defaults: the CRDS parameter references could not be looked up (%1). The job still uses them.',
          model.effectiveError
        )}
      </p>
    );
  }
  if (!effective) {
    return null;
  }
  if (effective.disabled) {
    return (
      <p className="jp-JwstLab-runEffective" role="status">
        {trans.__(
          'CRDS parameter references are turned off (STPIPE_DISABLE_CRDS_STEPPARS): code defaults.'
        )}
      </p>
    );
  }
  const references = Object.values(effective.steps)
    .map(step => step.reference)
    .filter((name): name is string => Boolean(name));
  if (effective.pipeline_reference) {
    references.unshift(effective.pipeline_reference);
  }
  return (
    <p className="jp-JwstLab-runEffective" role="status">
      {references.length > 0
        ? trans.__(
            'Values as the job will run them at %1 (%2): %3 sets some of them.',
            effective.context ?? '?',
            effective.context_reason,
            references.join(', ')
          )
        : trans.__(
            'Values as the job will run them at %1 (%2): no CRDS parameter reference applies.',
            effective.context ?? '?',
            effective.context_reason
          )}{' '}
      {trans.__('Only the values you set are sent.')}
    </p>
  );
}

/** Load and save ASDF parameter files, and copy the values as a strun command. */
function ParameterFileTools(props: {
  model: RunFormModel;
  trans: TranslationBundle;
  copy?: (text: string) => void;
}): JSX.Element {
  const { model, trans, copy: toClipboard } = props;
  const [path, setPath] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const id = fieldId('parameter_file');
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  const load = () => run(() => model.loadParameterFile(path));
  const save = () => run(() => model.saveParameterFile(path));
  const copy = () =>
    run(async () => {
      const command = await model.copyAsStrun();
      if (command) {
        toClipboard?.(command);
      }
    });
  const empty = path.trim() === '';
  return (
    <fieldset className="jp-JwstLab-runParameterFile">
      <legend>{trans.__('Parameter file')}</legend>
      <div className="jp-JwstLab-field jp-JwstLab-runTextField">
        <label className="jp-JwstLab-fieldLabel" htmlFor={id}>
          {trans.__('ASDF parameter file')}
        </label>
        <input
          id={id}
          className="jp-mod-styled"
          type="text"
          data-enter="own"
          value={path}
          placeholder={trans.__('e.g. obs/image3_params.asdf')}
          aria-describedby={`${id}-help`}
          onChange={event => setPath(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              event.preventDefault();
              if (!empty && !busy) {
                void load();
              }
            }
          }}
        />
        <span id={`${id}-help`} className="jp-JwstLab-runParamHelp">
          {trans.__(
            'Relative to the server root: from strun --save-parameters, a job’s *_params.asdf, or one saved here.'
          )}
        </span>
      </div>
      <div className="jp-JwstLab-runFileButtons">
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-runLoadParams"
          disabled={empty || busy}
          onClick={() => void load()}
        >
          {trans.__('Load')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-runSaveParams"
          disabled={empty || busy}
          onClick={() => void save()}
        >
          {trans.__('Save')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-runCopyStrun"
          disabled={busy}
          onClick={() => void copy()}
        >
          {trans.__('Copy as strun')}
        </button>
      </div>
      {model.fileNotice && (
        <p className="jp-JwstLab-runFileNotice" role="status">
          {model.fileNotice}
        </p>
      )}
      {model.strunCommand && (
        <pre
          className="jp-JwstLab-runStrun"
          aria-label={trans.__('strun command (copied)')}
        >
          {model.strunCommand}
        </pre>
      )}
    </fieldset>
  );
}
