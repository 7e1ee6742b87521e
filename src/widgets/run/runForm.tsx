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

  // Keep the focus inside the modal dialog.
  const onKeyDown = (event: React.KeyboardEvent) =>
    handleModalKeys(
      event,
      formRef.current,
      'button:not([disabled]), input:not([disabled]), select:not([disabled])',
      finish
    );

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
            <PipelineStepFields
              spec={spec.value}
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
        </>
      )}
    </ModalForm>
  );
}
