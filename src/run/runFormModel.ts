import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, problemOf } from '../api/errors';
import { CRDS_CONTEXT_PATTERN } from '../api/constants';
import type {
  IAssociation,
  IJobRecord,
  IParameterFile,
  IPipelineParameters,
  IPipelineSpec,
  IPipelineSummary
} from '../api/models';
import { baseName } from '../components/format';
import { ILoadable, Loader } from '../models/loadable';
import { Model } from '../models/model';
import { IJwstLabClient } from '../tokens';
import { loadTrans } from '../translation';
import {
  allValues,
  batchOutputDir,
  buildRequest,
  draftOf,
  editableParams,
  fieldKey,
  FieldErrors,
  formFieldOf,
  initialDraft,
  IRunDraft,
  ParamDraft,
  pipelinesForSuffix,
  RunInputKind,
  skipKey,
  stepsOf,
  withoutFieldError
} from './validation';

/**
 * The run dialog's state: the inputs still to run and the jobs already
 * created, the pipelines that suit the inputs, the chosen pipeline's spec and
 * the values typed for it, and the problems to show.
 *
 * Problems are placed where they belong: the form's own checks at their
 * fields; a server error at the field its `field` names (a step parameter,
 * `crds_context`, `output_dir`), at the input it concerns (`input`), or as
 * the form's general error when it names no field the form shows.
 */
export class RunFormModel extends Model {
  /** Create the model and ask which pipelines suit the inputs. */
  constructor(options: RunFormModel.IOptions) {
    super();
    this._client = options.client;
    this._trans = options.trans ?? loadTrans();
    this.inputs = [...options.inputs];
    this.kind = options.kind;
    this._level = options.level;
    this._preferred = options.preferred;
    this._pending = [...options.inputs];
    void this._loadPipelines();
  }

  /** The files to run on, relative to the server root: one job each. */
  readonly inputs: readonly string[];

  /** What the inputs are: associations, or uncal / rate exposures. */
  readonly kind: RunInputKind;

  /** The CRDS context the server uses when none is pinned, when it said so. */
  get serverContext(): string | null {
    return this._client.info?.crds.context ?? null;
  }

  /** Emitted with a field's key when the view should focus it (a problem is there). */
  get focusRequested(): ISignal<this, string> {
    return this._focusRequested;
  }

  /** The inputs that have no job yet. */
  get pending(): readonly string[] {
    return this._pending;
  }

  /** The jobs created so far (a batch may stop half-way). */
  get created(): readonly IJobRecord[] {
    return this._created;
  }

  /** The pipelines that suit the inputs, the preferred one first. */
  get pipelines(): ILoadable<string[]> {
    return this._pipelines.state;
  }

  /** Each association input as read by the server, or why it cannot be read. */
  get associations(): Readonly<Record<string, IAssociation | string>> {
    return this._associations;
  }

  /** The chosen pipeline ('' until the pipelines arrived). */
  get pipeline(): string {
    return this._pipeline;
  }

  /** Choose a pipeline: its spec is asked for and the values start again from its defaults. */
  setPipeline(alias: string): void {
    if (alias === this._pipeline) {
      return;
    }
    this._pipeline = alias;
    this._draft = null;
    this._errors = {};
    this._generalError = null;
    this._effective = null;
    this._strun = null;
    void this._loadSpec();
  }

  /** The chosen pipeline's spec. */
  get spec(): ILoadable<IPipelineSpec> {
    return this._spec.state;
  }

  /** The values typed, or null until the spec arrived. */
  get draft(): IRunDraft | null {
    return this._draft;
  }

  /** Whether the form can be filled in (the spec and its values are there). */
  get ready(): boolean {
    return this._spec.state.value !== null && this._draft !== null;
  }

  /** Problems by field (`steps.<step>.<param>`, `crds_context`, `output_dir`). */
  get errors(): FieldErrors {
    return this._errors;
  }

  /** A problem that belongs to no field the form shows, or null. */
  get generalError(): string | null {
    return this._generalError;
  }

  /** Problems of single inputs (e.g. an association with missing members). */
  get inputErrors(): Readonly<Record<string, string>> {
    return this._inputErrors;
  }

  /** Whether jobs are being created. */
  get submitting(): boolean {
    return this._submitting;
  }

  /** Whether a step's parameters are shown (they also are when one has a problem). */
  isExpanded(step: string): boolean {
    return this._expanded[step] ?? false;
  }

  /** Show or hide a step's parameters. */
  toggleStep(step: string): void {
    this._expanded = { ...this._expanded, [step]: !this.isExpanded(step) };
    this.emitChanged();
  }

  /** Set what the user entered for a step parameter; its problem goes away. */
  setParam(step: string, name: string, value: ParamDraft): void {
    const key = fieldKey(step, name);
    this._editDraft(
      draft => ({
        params: {
          ...draft.params,
          [step]: { ...draft.params[step], [name]: value }
        },
        touched: { ...draft.touched, [key]: true },
        sources: { ...draft.sources, [key]: { kind: 'user' } }
      }),
      key
    );
  }

  /** Skip a step, or run it. */
  setSkip(step: string, skip: boolean): void {
    this._editDraft(draft => ({
      skip: { ...draft.skip, [step]: skip },
      touched: { ...draft.touched, [skipKey(step)]: true }
    }));
  }

  /** Pin a CRDS context (empty for the server's): the CRDS values are asked for again. */
  setCrdsContext(value: string): void {
    this._editDraft(() => ({ crdsContext: value }), 'crds_context');
    const context = value.trim();
    if (context === '' || CRDS_CONTEXT_PATTERN.test(context)) {
      void this._loadEffective();
    }
  }

  /**
   * The values a job would run with, from the server (code defaults merged
   * with the CRDS `pars-*` references for the first input and the context),
   * or null until they arrived (or when they could not be computed).
   */
  get effective(): IPipelineParameters | null {
    return this._effective;
  }

  /** Whether the CRDS parameter references are being looked up. */
  get effectiveLoading(): boolean {
    return this._effectiveLoading;
  }

  /** Why the CRDS parameter references could not be looked up, or null. */
  get effectiveError(): string | null {
    return this._effectiveError;
  }

  /** What happened to the last parameter file loaded or saved, or null. */
  get fileNotice(): string | null {
    return this._fileNotice;
  }

  /** The last "Copy as strun" command, or null. */
  get strunCommand(): string | null {
    return this._strun;
  }

  /**
   * Load an ASDF parameter file (relative to the root) into the form: its
   * values that differ from those shown become the user's. A file for
   * another offered pipeline switches to it first.
   */
  async loadParameterFile(path: string): Promise<boolean> {
    const trans = this._trans;
    let file: IParameterFile;
    try {
      file = await this._client.readParameterFile(path.trim());
    } catch (error) {
      this._fileNotice = errorMessage(error);
      this.emitChanged();
      return false;
    }
    if (file.alias && file.alias !== this._pipeline) {
      const offered = this._pipelines.state.value ?? [];
      if (!offered.includes(file.alias)) {
        this._fileNotice = trans.__(
          '%1 is a parameter file for %2, which does not run these inputs.',
          file.path,
          file.alias
        );
        this.emitChanged();
        return false;
      }
      this._pendingFile = file;
      this.setPipeline(file.alias);
      return true;
    }
    if (!file.alias) {
      this._fileNotice = trans.__(
        '%1 is for %2, which is not installed here.',
        file.path,
        file.class_name
      );
      this.emitChanged();
      return false;
    }
    this._applyFile(file);
    return true;
  }

  /** Save every value shown as an ASDF parameter file (relative to the root). */
  async saveParameterFile(path: string): Promise<boolean> {
    const spec = this._spec.state.value;
    const draft = this._draft;
    if (!spec || !draft) {
      return false;
    }
    const values = allValues(spec, draft);
    if ('errors' in values) {
      this._errors = values.errors;
      this._focus(Object.keys(values.errors)[0]);
      this.emitChanged();
      return false;
    }
    const target = path.trim();
    try {
      const written = await this._client.writeParameterFile({
        path: target,
        pipeline: spec.alias,
        steps: values.steps,
        overwrite: this._confirmOverwrite === target
      });
      this._confirmOverwrite = null;
      this._fileNotice = this._trans.__('Saved %1.', written.path);
    } catch (error) {
      const problem = problemOf(error);
      if (problem.status === 409) {
        this._confirmOverwrite = target;
        this._fileNotice = this._trans.__(
          '%1 exists: save again to replace it.',
          target
        );
      } else {
        this._fileNotice = problem.message;
      }
      this.emitChanged();
      return false;
    }
    this.emitChanged();
    return true;
  }

  /**
   * A `strun` line for the values set, that runs from any folder (absolute
   * paths, CRDS settings as environment assignments); null with the problems
   * shown when a value does not validate.
   */
  async copyAsStrun(): Promise<string | null> {
    const spec = this._spec.state.value;
    const draft = this._draft;
    const input = this._pending[0] ?? this.inputs[0];
    if (!spec || !draft || !input) {
      return null;
    }
    const request = buildRequest(spec, draft);
    if ('errors' in request) {
      this._errors = request.errors;
      this._focus(Object.keys(request.errors)[0]);
      this.emitChanged();
      return null;
    }
    try {
      const answer = await this._client.getStrunCommand(spec.alias, {
        input,
        steps: request.steps,
        crds_context: request.crds_context,
        output_dir: request.output_dir
      });
      this._strun = answer.command;
      this._generalError = null;
    } catch (error) {
      const problem = problemOf(error);
      const field = formFieldOf(problem.field, spec);
      if (field) {
        this._errors = { ...this._errors, [field]: problem.message };
      } else {
        this._generalError = problem.message;
      }
      this._strun = null;
    }
    this.emitChanged();
    return this._strun;
  }

  /** Choose the output folder (empty for each job's own new folder). */
  setOutputDir(value: string): void {
    this._editDraft(() => ({ outputDir: value }), 'output_dir');
  }

  /**
   * Check the values, then create one job per pending input. Resolves with
   * every job created (this time and before) once each input has its job, or
   * null when something is left to fix (the problems are in the model).
   */
  async submit(): Promise<IJobRecord[] | null> {
    const spec = this._spec.state.value;
    const draft = this._draft;
    if (!spec || !draft || this._submitting || this._pending.length === 0) {
      return null;
    }
    const request = buildRequest(spec, draft);
    if ('errors' in request) {
      this._errors = request.errors;
      this._generalError = null;
      this._focus(Object.keys(request.errors)[0]);
      this.emitChanged();
      return null;
    }
    this._errors = {};
    this._generalError = null;
    this._inputErrors = {};
    this._submitting = true;
    this.emitChanged();
    const pending = this._pending;
    const batch = pending.length > 1;
    const made: IJobRecord[] = [];
    const inputErrors: Record<string, string> = {};
    const errors: FieldErrors = {};
    let general: string | null = null;
    for (const input of pending) {
      try {
        made.push(
          await this._client.createJob({
            pipeline: spec.alias,
            input,
            steps: request.steps,
            crds_context: request.crds_context,
            output_dir: batchOutputDir(request.output_dir, input, batch)
          })
        );
      } catch (error) {
        const problem = problemOf(error);
        if (problem.field === 'input') {
          // This input's own problem: the others may still run.
          inputErrors[input] = problem.message;
          continue;
        }
        const field = formFieldOf(problem.field, spec);
        if (field) {
          errors[field] = problem.message;
        } else {
          general = problem.message;
        }
        // The same values go to every input: asking again would only repeat it.
        break;
      }
    }
    this._submitting = false;
    this._created = [...this._created, ...made];
    const createdInputs = new Set(made.map(job => job.input));
    this._pending = pending.filter(input => !createdInputs.has(input));
    if (this._pending.length === 0) {
      this.emitChanged();
      return [...this._created];
    }
    this._inputErrors = inputErrors;
    this._errors = errors;
    this._generalError = general;
    const first = Object.keys(errors)[0];
    if (first) {
      this._focus(first);
    }
    this.emitChanged();
    return null;
  }

  private _focus(key: string): void {
    const step = key.startsWith('steps.') ? key.split('.')[1] : null;
    if (step && !this.isExpanded(step)) {
      this._expanded = { ...this._expanded, [step]: true };
    }
    this._focusRequested.emit(key);
  }

  /**
   * Change the values typed (nothing before the spec arrived); the problem of
   * `field`, when given, goes away.
   */
  private _editDraft(
    change: (draft: IRunDraft) => Partial<IRunDraft>,
    field?: string
  ): void {
    if (!this._draft) {
      return;
    }
    this._draft = { ...this._draft, ...change(this._draft) };
    if (field !== undefined) {
      this._clearError(field);
    }
    this.emitChanged();
  }

  private _clearError(key: string): void {
    this._errors = withoutFieldError(this._errors, key);
  }

  private async _loadPipelines(): Promise<void> {
    const problem = await this._pipelines.load(() => this._suitedPipelines());
    const names = this._pipelines.state.value;
    if (problem === null && names && names.length > 0) {
      this.setPipeline(names[0]);
    }
  }

  /** The pipelines that run every input, the preferred one first. */
  private async _suitedPipelines(): Promise<string[]> {
    const trans = this._trans;
    const inputs = this.inputs;
    const list = await this._client.listPipelines();
    let names: string[];
    if (this.kind === 'association') {
      const read = await Promise.all(
        inputs.map(input =>
          this._client.readAssociation(input).then(
            asn => asn as IAssociation | string,
            error => errorMessage(error)
          )
        )
      );
      const byInput: Record<string, IAssociation | string> = {};
      inputs.forEach((input, index) => (byInput[input] = read[index]));
      this._associations = byInput;
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
        (p: IPipelineSummary) =>
          this._level === undefined || p.level === this._level
      );
      names = pipelinesForSuffix(offered, inputs[0]);
      names = await this._applicable(names);
      if (names.length === 0) {
        throw new Error(
          trans.__('No installed pipeline runs %1.', baseName(inputs[0]))
        );
      }
    }
    const preferred = this._preferred;
    if (preferred && names.includes(preferred)) {
      names = [preferred, ...names.filter(name => name !== preferred)];
    }
    return names;
  }

  /**
   * `names` without the pipelines that do not apply to some input's EXP_TYPE
   * (the server reads the headers; CRDS's EXP_TYPE table decides). When the
   * server cannot tell, nothing is removed.
   */
  private async _applicable(names: string[]): Promise<string[]> {
    let answers;
    try {
      answers = await Promise.all(
        this.inputs.map(input => this._client.getApplicablePipelines(input))
      );
    } catch {
      return names;
    }
    const kept = names.filter(name =>
      answers.every(answer => answer.pipelines.includes(name))
    );
    if (kept.length === 0 && names.length > 0) {
      throw new Error(
        this._trans.__(
          'No installed pipeline applies to %1: %2',
          baseName(this.inputs[0]),
          answers[0]?.reason ?? ''
        )
      );
    }
    return kept;
  }

  private async _loadSpec(): Promise<void> {
    const alias = this._pipeline;
    const problem = await this._spec.load(
      () => this._client.getPipelineSpec(alias),
      { keepValue: false }
    );
    const spec = this._spec.state.value;
    if (problem === null && spec) {
      this._draft = initialDraft(spec);
      const file = this._pendingFile;
      this._pendingFile = null;
      if (file) {
        this._applyFile(file);
      }
      this.emitChanged();
      void this._loadEffective();
    }
  }

  /** Ask for the values a job would run with, and show them where the user set nothing. */
  private async _loadEffective(): Promise<void> {
    const alias = this._pipeline;
    const input = this._pending[0] ?? this.inputs[0];
    const draft = this._draft;
    if (!alias || !input || !draft) {
      return;
    }
    const context = draft.crdsContext.trim() || null;
    const ticket = ++this._effectiveTicket;
    this._effectiveLoading = true;
    this._effectiveError = null;
    this.emitChanged();
    let answer: IPipelineParameters | null = null;
    let failure: string | null = null;
    try {
      answer = await this._client.getPipelineParameters(alias, input, context);
    } catch (error) {
      failure = errorMessage(error);
    }
    if (ticket !== this._effectiveTicket || alias !== this._pipeline) {
      return; // a newer question was asked meanwhile
    }
    this._effectiveLoading = false;
    this._effective = answer;
    this._effectiveError = failure;
    if (answer) {
      this._applyEffective(answer);
    }
    this.emitChanged();
  }

  /** Show the effective values of every field the user did not set, with their sources. */
  private _applyEffective(answer: IPipelineParameters): void {
    const spec = this._spec.state.value;
    const draft = this._draft;
    if (!spec || !draft) {
      return;
    }
    const params = { ...draft.params };
    const sources = { ...draft.sources };
    for (const step of stepsOf(spec)) {
      const values = answer.steps[step.alias]?.values ?? {};
      params[step.alias] = { ...params[step.alias] };
      for (const [name, paramSpec] of editableParams(step)) {
        const key = fieldKey(step.alias, name);
        const effective = values[name];
        if (draft.touched[key] || !effective) {
          continue;
        }
        params[step.alias][name] = draftOf(paramSpec, effective.value);
        if (effective.source === 'crds' && effective.reference) {
          sources[key] = { kind: 'crds', reference: effective.reference };
        } else {
          delete sources[key];
        }
      }
    }
    this._draft = { ...draft, params, sources };
  }

  /** Put a parameter file's values into the form; those that change become the user's. */
  private _applyFile(file: IParameterFile): void {
    const spec = this._spec.state.value;
    const draft = this._draft;
    if (!spec || !draft) {
      return;
    }
    const params = { ...draft.params };
    const skip = { ...draft.skip };
    const touched = { ...draft.touched };
    const sources = { ...draft.sources };
    let changed = 0;
    for (const step of stepsOf(spec)) {
      const given = file.steps[step.alias];
      if (!given) {
        continue;
      }
      params[step.alias] = { ...params[step.alias] };
      if (typeof given.skip === 'boolean' && given.skip !== skip[step.alias]) {
        skip[step.alias] = given.skip;
        touched[skipKey(step.alias)] = true;
        changed++;
      }
      for (const [name, paramSpec] of editableParams(step)) {
        if (!(name in given)) {
          continue;
        }
        const text = draftOf(paramSpec, given[name]);
        if (text === params[step.alias][name]) {
          continue;
        }
        const key = fieldKey(step.alias, name);
        params[step.alias][name] = text;
        touched[key] = true;
        sources[key] = { kind: 'file', path: file.path };
        changed++;
      }
    }
    this._draft = { ...draft, params, skip, touched, sources };
    const notice = this._trans._n(
      'Loaded %2: %1 value differs from those shown.',
      'Loaded %2: %1 values differ from those shown.',
      changed,
      file.path
    );
    this._fileNotice =
      file.ignored.length > 0
        ? `${notice} ${this._trans.__('Not known here: %1.', file.ignored.join(', '))}`
        : notice;
    this.emitChanged();
  }

  private readonly _client: IJwstLabClient;
  private readonly _trans: TranslationBundle;
  private readonly _level: number | undefined;
  private readonly _preferred: string | undefined;
  private readonly _pipelines = new Loader<string[]>(() => this.emitChanged());
  private readonly _spec = new Loader<IPipelineSpec>(() => this.emitChanged());
  private _associations: Record<string, IAssociation | string> = {};
  private _pending: string[];
  private _created: IJobRecord[] = [];
  private _pipeline = '';
  private _draft: IRunDraft | null = null;
  private _errors: FieldErrors = {};
  private _generalError: string | null = null;
  private _inputErrors: Record<string, string> = {};
  private _submitting = false;
  private _expanded: Record<string, boolean> = {};
  private _focusRequested = new Signal<this, string>(this);
  private _effective: IPipelineParameters | null = null;
  private _effectiveLoading = false;
  private _effectiveError: string | null = null;
  private _effectiveTicket = 0;
  private _pendingFile: IParameterFile | null = null;
  private _fileNotice: string | null = null;
  private _confirmOverwrite: string | null = null;
  private _strun: string | null = null;
}

/** The namespace for `RunFormModel` statics. */
export namespace RunFormModel {
  /** Options to create a run form. */
  export interface IOptions {
    client: IJwstLabClient;
    /** The files to run on, relative to the server root: one job each. */
    inputs: readonly string[];
    /** What the inputs are: associations, or uncal / rate exposures. */
    kind: RunInputKind;
    /** Only pipelines of this level are offered (e.g. 2 for rate files), when given. */
    level?: number;
    /** The pipeline chosen first when it suits the inputs (e.g. `calwebb_detector1`). */
    preferred?: string;
    trans?: TranslationBundle;
  }
}
