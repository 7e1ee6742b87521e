/**
 * The run form's values and their validation, free of React: which
 * parameters a step shows, their inputs' initial text, parsing and validation
 * against stpipe's spec (the same rules the server applies), the `steps`
 * payload of `POST /jobs`, and which pipelines suit which inputs.
 */
import { CRDS_CONTEXT_PATTERN } from '../api/constants';
import type { IParamSpec, IPipelineSpec, IStepSpec } from '../api/models';

/** How a parameter is edited. */
export type ParamInputKind =
  'boolean' | 'option' | 'integer' | 'float' | 'list' | 'text';

/** The list types of configobj and the type of their items. */
const LIST_ITEM_KIND: Record<
  string,
  'integer' | 'float' | 'string' | 'boolean' | 'any'
> = {
  int_list: 'integer',
  float_list: 'float',
  string_list: 'string',
  bool_list: 'boolean',
  list: 'any',
  force_list: 'any',
  tuple: 'any',
  mixed_list: 'any'
};

/** The value a user edits: a checkbox's state or an input's text. */
export type ParamDraft = boolean | string;

/** Drafts of every shown parameter, by `step` then parameter name, and skip toggles. */
export interface IRunDraft {
  /** `{step: {param: draft}}` for parameters the user may change. */
  params: Record<string, Record<string, ParamDraft>>;
  /** Steps the user chose to skip (or run, when the spec skips them by default). */
  skip: Record<string, boolean>;
  /** A CRDS context to pin; empty for the server's default. */
  crdsContext: string;
  /** An output folder relative to the root; empty for each job's own new folder. */
  outputDir: string;
  /**
   * Fields the user set (by `fieldKey`, and `skipKey` for skip toggles): they
   * are sent even when equal to the default, the others are left to the
   * pipeline (its defaults and CRDS `pars-*` references).
   */
  touched: Record<string, true>;
  /** Where each shown value comes from, by `fieldKey` (absent: the code default). */
  sources: Record<string, ValueSource>;
}

/** Where a value shown in the form comes from. */
export type ValueSource =
  | { kind: 'default' }
  | { kind: 'crds'; reference: string }
  | { kind: 'file'; path: string }
  | { kind: 'user' };

/** The key of a step's skip toggle in `IRunDraft.touched`. */
export function skipKey(step: string): string {
  return `steps.${step}.skip`;
}

/** How a parameter is edited, from its configobj type. */
export function inputKind(spec: IParamSpec): ParamInputKind {
  const type = spec.type;
  if (type === 'boolean') {
    return 'boolean';
  }
  if (type === 'option' && Array.isArray(spec.choices)) {
    return 'option';
  }
  if (type === 'integer') {
    return 'integer';
  }
  if (type === 'float') {
    return 'float';
  }
  if (type in LIST_ITEM_KIND) {
    return 'list';
  }
  return 'text';
}

/** The parameters of a step a user can set: its own (not stpipe's common ones), never managed ones. */
export function editableParams(step: IStepSpec): [string, IParamSpec][] {
  return Object.entries(step.params).filter(
    ([, spec]) => !spec.common && !spec.managed
  );
}

/** Whether the spec skips a step unless told otherwise. */
export function skippedByDefault(step: IStepSpec): boolean {
  return step.params.skip?.default === true;
}

/** The text (or checkbox state) an input starts with: the spec's default. */
export function defaultDraft(spec: IParamSpec): ParamDraft {
  return draftOf(spec, spec.default);
}

/** The text (or checkbox state) that shows `value` in the input of a parameter. */
export function draftOf(spec: IParamSpec, value: unknown): ParamDraft {
  const kind = inputKind(spec);
  if (kind === 'boolean') {
    return value === true;
  }
  if (value === null || value === undefined) {
    return kind === 'option' ? 'None' : '';
  }
  if (Array.isArray(value)) {
    return value.map(item => String(item)).join(', ');
  }
  // `1.0` as the spec writes it, not JSON's `1`.
  if (
    kind === 'float' &&
    value === spec.default &&
    typeof spec.default_repr === 'string' &&
    Number(spec.default_repr) === value
  ) {
    return spec.default_repr;
  }
  return String(value);
}

/** The initial draft of a pipeline: every default, no step skipped beyond the spec's own. */
export function initialDraft(spec: IPipelineSpec): IRunDraft {
  const params: IRunDraft['params'] = {};
  const skip: IRunDraft['skip'] = {};
  for (const step of stepsOf(spec)) {
    params[step.alias] = {};
    for (const [name, paramSpec] of editableParams(step)) {
      params[step.alias][name] = defaultDraft(paramSpec);
    }
    skip[step.alias] = skippedByDefault(step);
  }
  return {
    params,
    skip,
    crdsContext: '',
    outputDir: '',
    touched: {},
    sources: {}
  };
}

/**
 * The steps shown: a pipeline's steps, or the single step itself (its
 * parameters are the pipeline-level ones).
 */
export function stepsOf(spec: IPipelineSpec): IStepSpec[] {
  if (spec.step_specs.length > 0) {
    return spec.step_specs;
  }
  return [
    {
      alias: spec.alias,
      class_name: spec.class_name,
      doc: spec.doc,
      params: spec.params
    }
  ];
}

/** A parsed value, or why the text is not one. */
export type ParseResult = { value: unknown } | { error: string };

function isNullText(text: string): boolean {
  return text === '' || text === 'None';
}

function allowsNull(spec: IParamSpec): boolean {
  return (
    spec.default === null ||
    spec.default === undefined ||
    spec.default_repr === 'None'
  );
}

function parseScalar(
  text: string,
  kind: 'integer' | 'float' | 'string' | 'boolean' | 'any',
  spec: IParamSpec,
  checkBounds: boolean
): ParseResult {
  const trimmed = text.trim();
  switch (kind) {
    case 'integer': {
      if (!/^[+-]?\d+$/.test(trimmed)) {
        return { error: `must be an integer, not “${text}”` };
      }
      const value = Number(trimmed);
      return checkBounds ? bounded(value, spec) : { value };
    }
    case 'float': {
      const value = trimmed === '' ? NaN : Number(trimmed);
      if (!Number.isFinite(value)) {
        return { error: `must be a number, not “${text}”` };
      }
      return checkBounds ? bounded(value, spec) : { value };
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (['true', 't', 'yes', '1'].includes(lower)) {
        return { value: true };
      }
      if (['false', 'f', 'no', '0'].includes(lower)) {
        return { value: false };
      }
      return { error: `must be true or false, not “${text}”` };
    }
    case 'string':
      return { value: trimmed };
    case 'any': {
      const number = Number(trimmed);
      if (trimmed !== '' && Number.isFinite(number)) {
        return { value: number };
      }
      if (trimmed === 'True' || trimmed === 'False') {
        return { value: trimmed === 'True' };
      }
      return { value: trimmed };
    }
  }
}

function bounded(value: number, spec: IParamSpec): ParseResult {
  if (typeof spec.min === 'number' && value < spec.min) {
    return { error: `must be at least ${spec.min}` };
  }
  if (typeof spec.max === 'number' && value > spec.max) {
    return { error: `must be at most ${spec.max}` };
  }
  return { value };
}

/**
 * Parse and validate what the user entered for one parameter: the type,
 * bounds (of a number; of the length of a list) and allowed values of its spec.
 */
export function parseParam(spec: IParamSpec, draft: ParamDraft): ParseResult {
  const kind = inputKind(spec);
  if (kind === 'boolean') {
    return { value: draft === true };
  }
  const text = typeof draft === 'string' ? draft : String(draft);
  if (kind === 'option') {
    const choices = spec.choices ?? [];
    const match = choices.find(choice => String(choice) === text);
    if (match === undefined && !(text === 'None' && allowsNull(spec))) {
      return {
        error: `must be one of ${choices.map(String).join(', ')}`
      };
    }
    return { value: match === undefined ? null : match };
  }
  if (isNullText(text.trim())) {
    if (allowsNull(spec)) {
      return { value: null };
    }
    if (kind === 'text' || LIST_ITEM_KIND[spec.type] === 'string') {
      // An empty string is a string.
      return kind === 'list' ? { value: [] } : { value: '' };
    }
    if (kind === 'list') {
      return typeof spec.min === 'number' && spec.min > 0
        ? { error: `needs at least ${spec.min} values` }
        : { value: [] };
    }
    return { error: 'is required' };
  }
  if (kind === 'integer' || kind === 'float') {
    return parseScalar(text, kind, spec, true);
  }
  if (kind === 'list') {
    const itemKind = LIST_ITEM_KIND[spec.type];
    const items = text
      .split(',')
      .map(item => item.trim())
      .filter(item => item !== '');
    if (typeof spec.min === 'number' && items.length < spec.min) {
      return {
        error: `needs at least ${spec.min} comma-separated values (got ${items.length})`
      };
    }
    if (typeof spec.max === 'number' && items.length > spec.max) {
      return {
        error: `takes at most ${spec.max} comma-separated values (got ${items.length})`
      };
    }
    const values: unknown[] = [];
    for (const [index, item] of items.entries()) {
      const parsed = parseScalar(item, itemKind, spec, false);
      if ('error' in parsed) {
        return { error: `value ${index + 1} ${parsed.error}` };
      }
      values.push(parsed.value);
    }
    return { value: values };
  }
  return { value: text };
}

/** Whether a parsed value equals the spec's default (then it is not sent). */
export function isDefault(spec: IParamSpec, value: unknown): boolean {
  const fallback = spec.default === undefined ? null : spec.default;
  return JSON.stringify(value) === JSON.stringify(fallback);
}

/** Errors by field: `steps.<step>.<param>`, `crds_context`, `output_dir`. */
export type FieldErrors = Record<string, string>;

/** `errors` without the problem of the field `key` (the same object when it has none). */
export function withoutFieldError(
  errors: FieldErrors,
  key: string
): FieldErrors {
  if (!(key in errors)) {
    return errors;
  }
  const next = { ...errors };
  delete next[key];
  return next;
}

/** The key of a step parameter's field: its dotted path in `POST /jobs`. */
export function fieldKey(step: string, param: string): string {
  return `steps.${step}.${param}`;
}

/**
 * The form field a server error's `field` names (a dotted path of the
 * `POST /jobs` body: `steps.resample.pixfrac`, `steps.x.y[2]` for a list item,
 * `crds_context`, `output_dir`), among those the form shows; null otherwise.
 */
export function formFieldOf(
  field: string | null,
  spec: IPipelineSpec
): string | null {
  if (field === 'crds_context' || field === 'output_dir') {
    return field;
  }
  const parts = (field ?? '').replace(/\[\d+\]$/, '').split('.');
  if (parts.length !== 3 || parts[0] !== 'steps') {
    return null;
  }
  const [, step, param] = parts;
  const shown = stepsOf(spec).find(item => item.alias === step);
  return shown && editableParams(shown).some(([name]) => name === param)
    ? fieldKey(step, param)
    : null;
}

/**
 * The `steps` payload of `POST /jobs` (the values the user set, even when
 * equal to a default, and the skip toggles set or differing from the spec),
 * or the errors by field when something does not validate.
 */
export function buildRequest(
  spec: IPipelineSpec,
  draft: IRunDraft
):
  | {
      steps: Record<string, Record<string, unknown>>;
      crds_context: string | null;
      output_dir: string | null;
    }
  | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const steps: Record<string, Record<string, unknown>> = {};
  for (const step of stepsOf(spec)) {
    const values: Record<string, unknown> = {};
    const skip = draft.skip[step.alias] ?? skippedByDefault(step);
    if (skip !== skippedByDefault(step) || draft.touched[skipKey(step.alias)]) {
      values.skip = skip;
    }
    if (!skip) {
      for (const [name, paramSpec] of editableParams(step)) {
        const text = draft.params[step.alias]?.[name];
        // Only what the user set is sent, even when it equals the default: the
        // rest is the pipeline's (its defaults and CRDS pars-* references).
        if (text === undefined || !draft.touched[fieldKey(step.alias, name)]) {
          continue;
        }
        const parsed = parseParam(paramSpec, text);
        if ('error' in parsed) {
          errors[fieldKey(step.alias, name)] = `${name} ${parsed.error}`;
        } else {
          values[name] = parsed.value;
        }
      }
    }
    if (Object.keys(values).length > 0) {
      steps[step.alias] = values;
    }
  }
  const common = checkContextAndFolder(draft.crdsContext, draft.outputDir);
  if ('errors' in common) {
    Object.assign(errors, common.errors);
  }
  if (Object.keys(errors).length > 0 || 'errors' in common) {
    return { errors };
  }
  return { steps, ...common };
}

/**
 * The CRDS context to pin and the output folder as typed, checked (a context
 * name like `jwst_1234.pmap`; a folder relative to the root, without `..`):
 * null for empty ones, or the errors by field.
 */
export function checkContextAndFolder(
  crdsContext: string,
  outputDir: string
):
  | { crds_context: string | null; output_dir: string | null }
  | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const context = crdsContext.trim();
  if (context && !CRDS_CONTEXT_PATTERN.test(context)) {
    errors.crds_context = `“${context}” is not a CRDS context name like jwst_1234.pmap`;
  }
  const output = outputDir.trim().replace(/\/+$/, '');
  if (output.startsWith('/') || output.split('/').includes('..')) {
    errors.output_dir =
      'must be a folder relative to the server root, without “..”';
  }
  if (Object.keys(errors).length > 0) {
    return { errors };
  }
  return { crds_context: context || null, output_dir: output || null };
}

/** The output folder of one job of a batch: the chosen folder, one sub-folder per input. */
export function batchOutputDir(
  outputDir: string | null,
  input: string,
  batch: boolean
): string | null {
  if (!outputDir || !batch) {
    return outputDir;
  }
  const name = input.split('/').pop() ?? input;
  const stem = name.replace(/(_asn)?\.(json|fits)$/i, '');
  return `${outputDir}/${stem}`;
}

/** The association level a file name says (`..._image3_00001_asn.json` → 3), or null. */
export function associationLevel(path: string): 2 | 3 | null {
  const match = /_[a-z-]*?([23])_\d+_asn\.json$/i.exec(path);
  if (!match) {
    return null;
  }
  return match[1] === '2' ? 2 : 3;
}

/** The JWST file kinds the file browser menu offers pipelines for. */
export type RunInputKind = 'association' | 'uncal' | 'rate';

/** Which pipelines suit an exposure kind (`uncal` → Detector1, `rate` → Image2/Spec2). */
export function pipelinesForSuffix(
  pipelines: { alias: string; is_pipeline: boolean; suffixes: string[] }[],
  path: string
): string[] {
  return pipelines
    .filter(
      pipeline =>
        pipeline.is_pipeline &&
        pipeline.suffixes.some(suffix => path.endsWith(suffix))
    )
    .map(pipeline => pipeline.alias);
}

/**
 * Every shown value of every step, parsed (for a parameter file), with
 * `skip: true` for skipped steps; or the errors by field.
 */
export function allValues(
  spec: IPipelineSpec,
  draft: IRunDraft
):
  { steps: Record<string, Record<string, unknown>> } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const steps: Record<string, Record<string, unknown>> = {};
  for (const step of stepsOf(spec)) {
    const values: Record<string, unknown> = {};
    if (draft.skip[step.alias] ?? skippedByDefault(step)) {
      values.skip = true;
    }
    for (const [name, paramSpec] of editableParams(step)) {
      const text = draft.params[step.alias]?.[name];
      if (text === undefined) {
        continue;
      }
      const parsed = parseParam(paramSpec, text);
      if ('error' in parsed) {
        errors[fieldKey(step.alias, name)] = `${name} ${parsed.error}`;
      } else {
        values[name] = parsed.value;
      }
    }
    steps[step.alias] = values;
  }
  return Object.keys(errors).length > 0 ? { errors } : { steps };
}
