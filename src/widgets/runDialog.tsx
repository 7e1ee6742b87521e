import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { PromiseDelegate } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type {
  IAssociation,
  IJobRecord,
  IParamSpec,
  IPipelineSpec,
  IPipelineSummary,
  IStepSpec
} from '../api/types';
import { IJwstLabClient, TRANSLATION_DOMAIN } from '../tokens';
import { baseName } from './jobsModel';
import {
  batchOutputDir,
  buildRequest,
  editableParams,
  fieldKey,
  fieldOfError,
  FieldErrors,
  initialDraft,
  inputKind,
  IRunDraft,
  ParamDraft,
  parseParam,
  pipelinesForSuffix,
  RunInputKind,
  stepsOf
} from './runForm';

/** Props of {@link RunForm}. */
export interface IRunFormProps {
  client: IJwstLabClient;
  trans: TranslationBundle;
  /** The files to run on, relative to the server root: one job each. */
  inputs: string[];
  /** What the inputs are: associations, or uncal / rate exposures. */
  kind: RunInputKind;
  /** Only pipelines of this level are offered (e.g. 2 for rate files), when given. */
  level?: number;
  /** The pipeline chosen first when it suits the inputs (e.g. `calwebb_detector1`). */
  preferred?: string;
  /** Called with the created jobs once every input has its job. */
  onSubmitted: (jobs: IJobRecord[]) => void;
  /** Called when the user cancels (Escape or the Cancel button). */
  onCancel: () => void;
}

type LoadState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready' };

/** A stable, CSS-safe id of a form field. */
function fieldId(key: string): string {
  return `jp-JwstLab-run-${key.replace(/[^\w-]/g, '-')}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The run form: pipeline, steps with skip toggles and parameters from the
 * spec, CRDS context and output folder; validates before it submits one
 * `POST /jobs` per input.
 */
export function RunForm(props: IRunFormProps): JSX.Element {
  const { client, trans, kind, level, preferred, onSubmitted, onCancel } =
    props;
  const [pending, setPending] = React.useState<string[]>(props.inputs);
  const [load, setLoad] = React.useState<LoadState>({ status: 'loading' });
  const [candidates, setCandidates] = React.useState<string[]>([]);
  const [associations, setAssociations] = React.useState<
    Record<string, IAssociation | string>
  >({});
  const [pipeline, setPipeline] = React.useState<string>('');
  const [spec, setSpec] = React.useState<IPipelineSpec | null>(null);
  const [specError, setSpecError] = React.useState<string | null>(null);
  const [draft, setDraft] = React.useState<IRunDraft | null>(null);
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [inputErrors, setInputErrors] = React.useState<Record<string, string>>(
    {}
  );
  const [created, setCreated] = React.useState<IJobRecord[]>([]);
  const [submitting, setSubmitting] = React.useState(false);
  const [expanded, setExpanded] = React.useState<Record<string, boolean>>({});
  const formRef = React.useRef<HTMLFormElement>(null);

  // Pipelines that suit the inputs.
  React.useEffect(() => {
    let cancelled = false;
    const run = async () => {
      const list = await client.listPipelines();
      let names: string[];
      if (kind === 'association') {
        const read = await Promise.all(
          props.inputs.map(input =>
            client.readAssociation(input).then(
              asn => asn as IAssociation | string,
              error => errorMessage(error)
            )
          )
        );
        const byInput: Record<string, IAssociation | string> = {};
        props.inputs.forEach((input, index) => (byInput[input] = read[index]));
        if (cancelled) {
          return;
        }
        setAssociations(byInput);
        const valid = read.filter(
          (asn): asn is IAssociation => typeof asn !== 'string'
        );
        if (valid.length === 0) {
          throw new Error(
            typeof read[0] === 'string'
              ? read[0]
              : trans.__('The association cannot be read.')
          );
        }
        // Pipelines that run every readable association of the batch.
        const installed = new Set(list.pipelines.map(p => p.alias));
        names = valid[0].pipelines.filter(
          alias =>
            installed.has(alias) &&
            valid.every(asn => asn.pipelines.includes(alias))
        );
        if (names.length === 0) {
          throw new Error(
            trans.__(
              'No installed pipeline runs %1 associations.',
              valid[0].asn_type ?? '?'
            )
          );
        }
      } else {
        const offered = list.pipelines.filter(
          (p: IPipelineSummary) => level === undefined || p.level === level
        );
        names = pipelinesForSuffix(offered, props.inputs[0]);
        if (names.length === 0) {
          throw new Error(
            trans.__(
              'No installed pipeline runs %1.',
              baseName(props.inputs[0])
            )
          );
        }
      }
      if (preferred && names.includes(preferred)) {
        names = [preferred, ...names.filter(name => name !== preferred)];
      }
      if (!cancelled) {
        setCandidates(names);
        setPipeline(names[0]);
        setLoad({ status: 'ready' });
      }
    };
    run().catch(error => {
      if (!cancelled) {
        setLoad({ status: 'error', message: errorMessage(error) });
      }
    });
    return () => {
      cancelled = true;
    };
  }, [client, kind, level]);

  // The spec of the chosen pipeline.
  React.useEffect(() => {
    if (!pipeline) {
      return;
    }
    let cancelled = false;
    setSpec(null);
    setSpecError(null);
    setDraft(null);
    setErrors({});
    client.getPipelineSpec(pipeline).then(
      value => {
        if (!cancelled) {
          setSpec(value);
          setDraft(initialDraft(value));
        }
      },
      error => {
        if (!cancelled) {
          setSpecError(errorMessage(error));
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, [client, pipeline]);

  // Focus the first field once the form is shown.
  const ready = spec !== null && draft !== null;
  React.useEffect(() => {
    if (ready) {
      formRef.current
        ?.querySelector<HTMLElement>('select, input, button')
        ?.focus();
    }
  }, [ready]);

  const setParam = (step: string, name: string, value: ParamDraft) => {
    setDraft(current =>
      current === null
        ? current
        : {
            ...current,
            params: {
              ...current.params,
              [step]: { ...current.params[step], [name]: value }
            }
          }
    );
    const key = fieldKey(step, name);
    setErrors(current => {
      if (!(key in current)) {
        return current;
      }
      const next = { ...current };
      delete next[key];
      return next;
    });
  };

  const focusField = (key: string) => {
    const step = key.startsWith('steps.') ? key.split('.')[1] : null;
    if (step) {
      setExpanded(current => ({ ...current, [step]: true }));
    }
    // After the step's parameters are shown.
    setTimeout(() => document.getElementById(fieldId(key))?.focus(), 0);
  };

  const submit = async (event?: React.FormEvent) => {
    event?.preventDefault();
    if (!spec || !draft || submitting || pending.length === 0) {
      return;
    }
    const request = buildRequest(spec, draft);
    if ('errors' in request) {
      setErrors(request.errors);
      focusField(Object.keys(request.errors)[0]);
      return;
    }
    setErrors({});
    setInputErrors({});
    setSubmitting(true);
    const batch = pending.length > 1;
    const made: IJobRecord[] = [];
    const failed: Record<string, string> = {};
    const fieldErrors: FieldErrors = {};
    for (const input of pending) {
      try {
        made.push(
          await client.createJob({
            pipeline: spec.alias,
            input,
            steps: request.steps,
            crds_context: request.crds_context,
            output_dir: batchOutputDir(request.output_dir, input, batch)
          })
        );
      } catch (error) {
        const message = errorMessage(error);
        const field = fieldOfError(message);
        if (field) {
          fieldErrors[field] = message;
        } else {
          failed[input] = message;
        }
        if (field) {
          // The same fields go to every input: asking again would only repeat it.
          const rest = pending.slice(pending.indexOf(input) + 1);
          rest.forEach(other => (failed[other] = failed[other] ?? ''));
          break;
        }
      }
    }
    const allCreated = [...created, ...made];
    setSubmitting(false);
    if (made.length === pending.length) {
      onSubmitted(allCreated);
      return;
    }
    const createdInputs = new Set(made.map(job => job.input));
    setCreated(allCreated);
    setPending(pending.filter(input => !createdInputs.has(input)));
    const problems: Record<string, string> = {};
    Object.keys(failed)
      .filter(input => failed[input] !== '')
      .forEach(input => (problems[input] = failed[input]));
    setInputErrors(problems);
    setErrors(fieldErrors);
    const first = Object.keys(fieldErrors)[0];
    if (first) {
      focusField(first);
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Tab' && formRef.current) {
      // Keep the focus inside the modal dialog.
      const focusable = Array.from(
        formRef.current.querySelectorAll<HTMLElement>(
          'button:not([disabled]), input:not([disabled]), select:not([disabled])'
        )
      );
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
      return;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      if (created.length > 0) {
        onSubmitted(created);
      } else {
        onCancel();
      }
    }
  };

  const title =
    pending.length > 1
      ? trans.__('Run %1 on %2 inputs', spec?.alias ?? pipeline, pending.length)
      : trans.__('Run %1', spec?.alias ?? pipeline ?? '');

  return (
    <form
      ref={formRef}
      className="jp-JwstLab-runForm"
      aria-label={trans.__('Run a pipeline')}
      onSubmit={event => void submit(event)}
      onKeyDown={onKeyDown}
      noValidate
    >
      <div className="jp-Dialog-header jp-JwstLab-runHeader">
        <h2 className="jp-JwstLab-runTitle">{title}</h2>
      </div>
      <div className="jp-Dialog-body jp-JwstLab-runBody">
        <InputList
          trans={trans}
          inputs={pending}
          associations={associations}
          inputErrors={inputErrors}
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
        {load.status === 'loading' && (
          <p role="status" aria-busy="true">
            {trans.__('Loading the pipelines…')}
          </p>
        )}
        {load.status === 'error' && (
          <p className="jp-JwstLab-runError" role="alert">
            {load.message}
          </p>
        )}
        {load.status === 'ready' && (
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
              value={pipeline}
              onChange={event => setPipeline(event.target.value)}
            >
              {candidates.map(name => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        )}
        {specError && (
          <p className="jp-JwstLab-runError" role="alert">
            {trans.__(
              'Cannot load the parameters of %1: %2',
              pipeline,
              specError
            )}
          </p>
        )}
        {load.status === 'ready' && !specError && !ready && (
          <p role="status" aria-busy="true">
            {trans.__('Loading the parameters…')}
          </p>
        )}
        {spec && draft && (
          <>
            <fieldset className="jp-JwstLab-runSteps">
              <legend>{trans.__('Steps')}</legend>
              {stepsOf(spec).map(step => (
                <StepFields
                  key={step.alias}
                  step={step}
                  trans={trans}
                  draft={draft}
                  errors={errors}
                  expanded={expanded[step.alias] ?? false}
                  onToggle={() =>
                    setExpanded(current => ({
                      ...current,
                      [step.alias]: !(current[step.alias] ?? false)
                    }))
                  }
                  onSkip={skip =>
                    setDraft({
                      ...draft,
                      skip: { ...draft.skip, [step.alias]: skip }
                    })
                  }
                  onParam={(name, value) => setParam(step.alias, name, value)}
                />
              ))}
            </fieldset>
            <TextField
              id={fieldId('crds_context')}
              label={trans.__('CRDS context')}
              value={draft.crdsContext}
              placeholder={
                client.info?.crds.context
                  ? trans.__('server default (%1)', client.info.crds.context)
                  : trans.__('server default (operational)')
              }
              help={trans.__(
                'Leave empty for the server’s context, or pin one such as jwst_1234.pmap.'
              )}
              error={errors.crds_context}
              onChange={value => {
                setDraft({ ...draft, crdsContext: value });
                setErrors(({ crds_context: _, ...rest }) => rest);
              }}
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
              onChange={value => {
                setDraft({ ...draft, outputDir: value });
                setErrors(({ output_dir: _, ...rest }) => rest);
              }}
            />
          </>
        )}
        {errors.general && (
          <p className="jp-JwstLab-runError" role="alert">
            {errors.general}
          </p>
        )}
      </div>
      <div className="jp-Dialog-footer jp-JwstLab-runFooter">
        <button
          type="button"
          className="jp-Dialog-button jp-mod-reject jp-mod-styled"
          onClick={() =>
            created.length > 0 ? onSubmitted(created) : onCancel()
          }
        >
          <div className="jp-Dialog-buttonLabel">
            {created.length > 0 ? trans.__('Close') : trans.__('Cancel')}
          </div>
        </button>
        <button
          type="submit"
          className="jp-Dialog-button jp-mod-accept jp-mod-styled jp-JwstLab-runSubmit"
          disabled={!ready || submitting || pending.length === 0}
        >
          <div className="jp-Dialog-buttonLabel">
            {submitting
              ? trans.__('Submitting…')
              : pending.length > 1
                ? trans.__('Run %1 jobs', pending.length)
                : trans.__('Run')}
          </div>
        </button>
      </div>
    </form>
  );
}

function InputList(props: {
  trans: TranslationBundle;
  inputs: string[];
  associations: Record<string, IAssociation | string>;
  inputErrors: Record<string, string>;
}): JSX.Element {
  const { trans, inputs, associations, inputErrors } = props;
  return (
    <ul className="jp-JwstLab-runInputs" aria-label={trans.__('Inputs')}>
      {inputs.map(input => {
        const asn = associations[input];
        const problem =
          inputErrors[input] ??
          (typeof asn === 'string'
            ? asn
            : asn && asn.members_missing.length > 0
              ? trans.__('Missing members: %1', asn.members_missing.join(', '))
              : null);
        return (
          <li key={input} className="jp-JwstLab-runInput" title={input}>
            <span className="jp-JwstLab-runInputName">{baseName(input)}</span>
            {asn && typeof asn !== 'string' && (
              <span className="jp-JwstLab-runInputMeta">
                {trans.__(
                  '%1 association, %2 members',
                  asn.asn_type ?? '?',
                  asn.members_total
                )}
              </span>
            )}
            {problem && (
              <span className="jp-JwstLab-fieldError" role="alert">
                {problem}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

interface IStepFieldsProps {
  step: IStepSpec;
  trans: TranslationBundle;
  draft: IRunDraft;
  errors: FieldErrors;
  expanded: boolean;
  onToggle: () => void;
  onSkip: (skip: boolean) => void;
  onParam: (name: string, value: ParamDraft) => void;
}

/** One step: its skip toggle, and its parameters behind a disclosure button. */
function StepFields(props: IStepFieldsProps): JSX.Element {
  const { step, trans, draft, errors, expanded, onToggle, onSkip, onParam } =
    props;
  const params = editableParams(step);
  const skip = draft.skip[step.alias] ?? false;
  const stepErrors = params.filter(([name]) =>
    Boolean(errors[fieldKey(step.alias, name)])
  ).length;
  const show = (expanded || stepErrors > 0) && !skip;
  const panelId = fieldId(`step-${step.alias}-params`);
  return (
    <div
      className="jp-JwstLab-runStep"
      data-step={step.alias}
      data-skipped={skip}
    >
      <div className="jp-JwstLab-runStepHeader">
        <button
          type="button"
          className="jp-JwstLab-runStepToggle"
          aria-expanded={show}
          aria-controls={panelId}
          disabled={skip || params.length === 0}
          onClick={onToggle}
          title={step.doc || step.class_name}
        >
          <span className="jp-JwstLab-runStepCaret" aria-hidden="true">
            {show ? '▾' : '▸'}
          </span>
          <span className="jp-JwstLab-runStepName">{step.alias}</span>
          {stepErrors > 0 && (
            <span className="jp-JwstLab-fieldError">
              {trans._n('%1 problem', '%1 problems', stepErrors)}
            </span>
          )}
        </button>
        <label className="jp-JwstLab-runSkip">
          <input
            type="checkbox"
            checked={skip}
            onChange={event => onSkip(event.target.checked)}
            aria-label={trans.__('Skip %1', step.alias)}
          />
          {trans.__('Skip')}
        </label>
      </div>
      {step.doc && <p className="jp-JwstLab-runStepDoc">{step.doc}</p>}
      {show && (
        <div id={panelId} className="jp-JwstLab-runParams">
          {params.map(([name, spec]) => (
            <ParamField
              key={name}
              id={fieldId(fieldKey(step.alias, name))}
              name={name}
              spec={spec}
              trans={trans}
              value={draft.params[step.alias]?.[name] ?? ''}
              error={errors[fieldKey(step.alias, name)]}
              onChange={value => onParam(name, value)}
            />
          ))}
        </div>
      )}
    </div>
  );
}

interface IParamFieldProps {
  id: string;
  name: string;
  spec: IParamSpec;
  trans: TranslationBundle;
  value: ParamDraft;
  error?: string;
  onChange: (value: ParamDraft) => void;
}

/** The input of one parameter, with its help text, bounds and error. */
function ParamField(props: IParamFieldProps): JSX.Element {
  const { id, name, spec, trans, value, error, onChange } = props;
  const kind = inputKind(spec);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [spec.help ? helpId : '', error ? errorId : '']
    .filter(Boolean)
    .join(' ');
  const title = spec.check ? `${spec.help ?? ''}\n${spec.check}` : spec.help;
  // Check while typing too, so the field shows the problem before submit.
  const live =
    !error && kind !== 'boolean' && value !== ''
      ? parseParam(spec, value)
      : null;
  const shownError =
    error ?? (live && 'error' in live ? `${name} ${live.error}` : undefined);
  const common = {
    id,
    'aria-describedby': describedBy || undefined,
    'aria-invalid': shownError ? true : undefined,
    title: title || undefined
  };
  let input: JSX.Element;
  if (kind === 'boolean') {
    input = (
      <input
        {...common}
        type="checkbox"
        checked={value === true}
        onChange={event => onChange(event.target.checked)}
      />
    );
  } else if (kind === 'option') {
    const choices = (spec.choices ?? []).map(choice => String(choice));
    if (!choices.includes(String(value))) {
      choices.unshift(String(value));
    }
    input = (
      <select
        {...common}
        className="jp-mod-styled"
        value={String(value)}
        onChange={event => onChange(event.target.value)}
      >
        {choices.map(choice => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    );
  } else {
    const bounds =
      kind === 'list'
        ? spec.min !== null && spec.min !== undefined
          ? trans.__('comma-separated, %1–%2 values', spec.min, spec.max ?? '…')
          : trans.__('comma-separated')
        : spec.min !== null && spec.min !== undefined
          ? spec.max !== null && spec.max !== undefined
            ? `${spec.min} … ${spec.max}`
            : `≥ ${spec.min}`
          : spec.max !== null && spec.max !== undefined
            ? `≤ ${spec.max}`
            : '';
    input = (
      <input
        {...common}
        className="jp-mod-styled"
        type="text"
        inputMode={
          kind === 'integer' || kind === 'float' ? 'decimal' : undefined
        }
        value={String(value)}
        placeholder={
          spec.path
            ? trans.__('a file, relative to the server root')
            : spec.default === null || spec.default === undefined
              ? trans.__('None')
              : bounds || undefined
        }
        onChange={event => onChange(event.target.value)}
      />
    );
  }
  return (
    <div className="jp-JwstLab-runParam" data-param={name} data-kind={kind}>
      <label className="jp-JwstLab-fieldLabel" htmlFor={id}>
        {name}
        <span className="jp-JwstLab-runParamType">{spec.type}</span>
      </label>
      {input}
      {spec.help && (
        <span id={helpId} className="jp-JwstLab-runParamHelp">
          {spec.help}
        </span>
      )}
      {shownError && (
        <span id={errorId} className="jp-JwstLab-fieldError" role="alert">
          {shownError}
        </span>
      )}
    </div>
  );
}

function TextField(props: {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  help: string;
  error?: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const { id, label, value, placeholder, help, error, onChange } = props;
  return (
    <div className="jp-JwstLab-field jp-JwstLab-runTextField">
      <label className="jp-JwstLab-fieldLabel" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="jp-mod-styled"
        type="text"
        value={value}
        placeholder={placeholder}
        aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        onChange={event => onChange(event.target.value)}
      />
      <span id={`${id}-help`} className="jp-JwstLab-runParamHelp">
        {help}
      </span>
      {error && (
        <span id={`${id}-error`} className="jp-JwstLab-fieldError" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The run dialog: a modal over the page hosting {@link RunForm}. `open()`
 * resolves with the jobs created, or an empty list when cancelled.
 */
export class RunDialog extends ReactWidget {
  /** Create the dialog; `open()` shows it. */
  constructor(options: RunDialog.IOptions) {
    super();
    this._options = options;
    this._trans = (options.translator ?? nullTranslator).load(
      TRANSLATION_DOMAIN
    );
    this.addClass('jp-Dialog');
    this.addClass('jp-ThemedContainer');
    this.addClass('jp-JwstLab-runDialog');
    this.node.setAttribute('role', 'dialog');
    this.node.setAttribute('aria-modal', 'true');
    // Keys typed in the form are the form's, not JupyterLab shortcuts.
    this.node.setAttribute('data-lm-suppress-shortcuts', 'true');
  }

  /** Show the dialog; resolves with the created jobs (empty when cancelled). */
  open(): Promise<IJobRecord[]> {
    this._previousFocus = document.activeElement as HTMLElement | null;
    Widget.attach(this, document.body);
    return this._done.promise;
  }

  /** Close the dialog without creating anything more. */
  close(jobs: IJobRecord[] = []): void {
    if (this.isDisposed) {
      return;
    }
    this._done.resolve(jobs);
    this.dispose();
    this._previousFocus?.focus?.();
  }

  protected render(): JSX.Element {
    const { client, inputs, kind, level, preferred } = this._options;
    return (
      <div className="jp-Dialog-content jp-JwstLab-runDialogContent">
        <RunForm
          client={client}
          trans={this._trans}
          inputs={inputs}
          kind={kind}
          level={level}
          preferred={preferred}
          onSubmitted={jobs => this.close(jobs)}
          onCancel={() => this.close([])}
        />
      </div>
    );
  }

  private readonly _options: RunDialog.IOptions;
  private readonly _trans: TranslationBundle;
  private readonly _done = new PromiseDelegate<IJobRecord[]>();
  private _previousFocus: HTMLElement | null = null;
}

/** The namespace for `RunDialog` statics. */
export namespace RunDialog {
  /** Options to open the run dialog. */
  export interface IOptions {
    client: IJwstLabClient;
    inputs: string[];
    kind: RunInputKind;
    level?: number;
    preferred?: string;
    translator?: ITranslator;
  }
}
