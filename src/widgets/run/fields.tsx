import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type {
  IAssociation,
  IParamSpec,
  IPipelineSpec,
  IStepSpec
} from '../../api/models';
import { baseName } from '../../components/format';
import {
  editableParams,
  fieldKey,
  FieldErrors,
  inputKind,
  IRunDraft,
  ParamDraft,
  parseParam,
  stepsOf,
  ValueSource
} from '../../run/validation';
import { plural } from '../../translation';

/** A stable, CSS-safe id of a form field. */
export function fieldId(key: string): string {
  return `jp-JwstLab-run-${key.replace(/[^\w-]/g, '-')}`;
}

/** The inputs still to run, with what the server said about each. */
export function InputList(props: {
  trans: TranslationBundle;
  inputs: readonly string[];
  associations: Readonly<Record<string, IAssociation | string>>;
  inputErrors: Readonly<Record<string, string>>;
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
                {plural(
                  trans,
                  asn.members_total,
                  '%2 association, %1 member',
                  '%2 association, %1 members',
                  asn.asn_type ?? '?'
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

/** Props of {@link StepFields}. */
export interface IStepFieldsProps {
  step: IStepSpec;
  /** The `pars-*` reference CRDS selects for this step and input, when known. */
  reference?: string | null;
  trans: TranslationBundle;
  draft: IRunDraft;
  errors: FieldErrors;
  expanded: boolean;
  onToggle: () => void;
  onSkip: (skip: boolean) => void;
  onParam: (name: string, value: ParamDraft) => void;
}

/** One step: its skip toggle, and its parameters behind a disclosure button. */
export function StepFields(props: IStepFieldsProps): JSX.Element {
  const {
    step,
    reference,
    trans,
    draft,
    errors,
    expanded,
    onToggle,
    onSkip,
    onParam
  } = props;
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
      {reference && (
        <p className="jp-JwstLab-runStepReference">
          {trans.__('CRDS parameters: %1', reference)}
        </p>
      )}
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
              source={draft.sources[fieldKey(step.alias, name)]}
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
  /** Where the value shown comes from (absent: the code default). */
  source?: ValueSource;
  error?: string;
  onChange: (value: ParamDraft) => void;
}

/** What a parameter's source badge says, and its kind. */
export function sourceLabel(
  trans: TranslationBundle,
  source: ValueSource | undefined
): { kind: ValueSource['kind']; text: string; title: string } {
  switch (source?.kind) {
    case 'crds':
      return {
        kind: 'crds',
        text: trans.__('CRDS'),
        title: trans.__(
          'Set by the CRDS parameter reference %1',
          source.reference
        )
      };
    case 'file':
      return {
        kind: 'file',
        text: trans.__('file'),
        title: trans.__('Loaded from the parameter file %1', source.path)
      };
    case 'user':
      return {
        kind: 'user',
        text: trans.__('set'),
        title: trans.__('Set by you: sent with the job')
      };
    default:
      return {
        kind: 'default',
        text: trans.__('default'),
        title: trans.__('The code’s default')
      };
  }
}

/** The input of one parameter, with its source, help text, bounds and error. */
function ParamField(props: IParamFieldProps): JSX.Element {
  const { id, name, spec, trans, value, source, error, onChange } = props;
  const badge = sourceLabel(trans, source);
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
    <div
      className="jp-JwstLab-runParam"
      data-param={name}
      data-kind={kind}
      data-source={badge.kind}
    >
      <label className="jp-JwstLab-fieldLabel" htmlFor={id}>
        {name}
        <span className="jp-JwstLab-runParamType">{spec.type}</span>
        <span
          className={`jp-JwstLab-runParamSource jp-mod-${badge.kind}`}
          title={badge.title}
        >
          {badge.text}
        </span>
      </label>
      {source?.kind === 'crds' && (
        <span className="jp-JwstLab-runParamReference">{source.reference}</span>
      )}
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

/** A text field with its help and its problem. */
export function TextField(props: {
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

/** Props of {@link PipelineStepFields}. */
export interface IPipelineStepFieldsProps {
  /** The pipeline's spec (its steps). */
  spec: IPipelineSpec;
  trans: TranslationBundle;
  draft: IRunDraft;
  errors: FieldErrors;
  /** Whether the parameters of the step `alias` are shown. */
  isExpanded: (alias: string) => boolean;
  onToggle: (alias: string) => void;
  onSkip: (alias: string, skip: boolean) => void;
  onParam: (alias: string, name: string, value: ParamDraft) => void;
  /** The `pars-*` reference of a step, when known. */
  referenceOf?: (alias: string) => string | null;
}

/** The fields of every step of a pipeline. */
export function PipelineStepFields(
  props: IPipelineStepFieldsProps
): JSX.Element {
  const {
    spec,
    trans,
    draft,
    errors,
    isExpanded,
    onToggle,
    onSkip,
    onParam,
    referenceOf
  } = props;
  return (
    <>
      {stepsOf(spec).map(step => (
        <StepFields
          key={step.alias}
          step={step}
          reference={referenceOf?.(step.alias) ?? null}
          trans={trans}
          draft={draft}
          errors={errors}
          expanded={isExpanded(step.alias)}
          onToggle={() => onToggle(step.alias)}
          onSkip={skip => onSkip(step.alias, skip)}
          onParam={(name, value) => onParam(step.alias, name, value)}
        />
      ))}
    </>
  );
}

/**
 * The CRDS context field: empty for the server's context (named in the
 * placeholder when known), or a pinned `.pmap`.
 */
export function CrdsContextField(props: {
  trans: TranslationBundle;
  value: string;
  /** The CRDS context the server uses when none is pinned, when known. */
  serverContext: string | null;
  help: string;
  error?: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const { trans, value, serverContext, help, error, onChange } = props;
  return (
    <TextField
      id={fieldId('crds_context')}
      label={trans.__('CRDS context')}
      value={value}
      placeholder={
        serverContext
          ? trans.__('server default (%1)', serverContext)
          : trans.__('server default (operational)')
      }
      help={help}
      error={error}
      onChange={onChange}
    />
  );
}
