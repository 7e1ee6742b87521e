import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type {
  IPipelineSpec,
  IRunCreate,
  IRunPlan,
  IRunRecord
} from '../api/models';
import { ILoadable, Loader } from '../models/loadable';
import { Model } from '../models/model';
import {
  buildRequest,
  checkContextAndFolder,
  fieldKey,
  FieldErrors,
  formFieldOf,
  initialDraft,
  IRunDraft,
  ParamDraft,
  skipKey,
  withoutFieldError
} from '../run/validation';
import type { IJwstLabClient } from '../tokens';

/** The level a run reduces to. */
export type TargetLevel = 1 | 2 | 3;

/** A refusal of the server because a job's estimate alone exceeds the memory limit. */
export interface IMemoryRefusal {
  /** The server's message (it names the estimate and the limit). */
  message: string;
}

/** The key of a pipeline's parameter field in the plan form: `steps.<alias>.<step>.<param>`. */
export function planFieldKey(
  alias: string,
  step: string,
  param: string
): string {
  return `steps.${alias}.${step}.${param}`;
}

/**
 * The plan dialog's state: the dry-run plan of a run (`POST /runs` with
 * `dry_run`), the parameters typed per pipeline of the plan (each edited
 * like the run form's, from the pipeline's spec), the CRDS context and the
 * output folder, and what submitting answered.
 *
 * Problems are placed like the run form's: a step parameter's at its field
 * (its pipeline's parameters are shown), `crds_context` and `output_dir` at
 * theirs, anything else as the dialog's general error. A 409
 * `insufficient_memory` is a refusal the user may override (`force`).
 */
export class PlanModel extends Model {
  /** Create the model and ask for the plan. */
  constructor(options: PlanModel.IOptions) {
    super();
    this._client = options.client;
    this.inputs = [...options.inputs];
    this.targetLevel = options.targetLevel;
    void this._loadPlan();
  }

  /** The inputs, relative to the server root. */
  readonly inputs: readonly string[];

  /** The level asked for. */
  readonly targetLevel: TargetLevel;

  /** The dry run's answer. */
  get plan(): ILoadable<IRunPlan> {
    return this._plan.state;
  }

  /** A memory refusal (of the dry run or of the submission), or null. */
  get refusal(): IMemoryRefusal | null {
    return this._refusal;
  }

  /** The pipelines of the plan, in stage order. */
  get pipelines(): readonly string[] {
    return (this._plan.state.value?.stages ?? []).map(stage => stage.pipeline);
  }

  /** The pipeline whose parameters are shown, or null. */
  get openPipeline(): string | null {
    return this._open;
  }

  /** Show a pipeline's parameters (null hides them); its spec is asked for once. */
  setOpenPipeline(alias: string | null): void {
    if (alias === this._open) {
      return;
    }
    this._open = alias;
    if (alias !== null) {
      void this._loadSpec(alias);
    }
    this.emitChanged();
  }

  /** A pipeline's spec (idle until its parameters were shown). */
  spec(alias: string): ILoadable<IPipelineSpec> {
    return (
      this._specs.get(alias)?.state ?? {
        status: 'idle',
        value: null,
        error: null
      }
    );
  }

  /** The values typed for a pipeline, or null before its spec arrived. */
  draft(alias: string): IRunDraft | null {
    return this._drafts[alias] ?? null;
  }

  /** Whether a step's parameters are shown. */
  isExpanded(alias: string, step: string): boolean {
    return this._expanded[`${alias}.${step}`] ?? false;
  }

  /** Show or hide a step's parameters. */
  toggleStep(alias: string, step: string): void {
    const key = `${alias}.${step}`;
    this._expanded = {
      ...this._expanded,
      [key]: !this.isExpanded(alias, step)
    };
    this.emitChanged();
  }

  /** Set a step parameter of a pipeline; its problem goes away. */
  setParam(alias: string, step: string, name: string, value: ParamDraft): void {
    const draft = this._drafts[alias];
    if (!draft) {
      return;
    }
    this._drafts = {
      ...this._drafts,
      [alias]: {
        ...draft,
        params: {
          ...draft.params,
          [step]: { ...draft.params[step], [name]: value }
        },
        // What the user set is sent (and checked), even when equal to a default.
        touched: { ...draft.touched, [fieldKey(step, name)]: true }
      }
    };
    this._clearError(planFieldKey(alias, step, name));
    this.emitChanged();
  }

  /** Skip a step of a pipeline, or run it. */
  setSkip(alias: string, step: string, skip: boolean): void {
    const draft = this._drafts[alias];
    if (!draft) {
      return;
    }
    this._drafts = {
      ...this._drafts,
      [alias]: {
        ...draft,
        skip: { ...draft.skip, [step]: skip },
        touched: { ...draft.touched, [skipKey(step)]: true }
      }
    };
    this.emitChanged();
  }

  /** The CRDS context to pin ('' for the server's). */
  get crdsContext(): string {
    return this._crdsContext;
  }

  setCrdsContext(value: string): void {
    this._crdsContext = value;
    this._clearError('crds_context');
    this.emitChanged();
  }

  /** The run's folder ('' for the server's default, `run_<id>` next to the inputs). */
  get outputDir(): string {
    return this._outputDir;
  }

  setOutputDir(value: string): void {
    this._outputDir = value;
    this._clearError('output_dir');
    this.emitChanged();
  }

  /** Problems by field (`steps.<alias>.<step>.<param>`, `crds_context`, `output_dir`). */
  get errors(): FieldErrors {
    return this._errors;
  }

  /** The problems of one pipeline's fields, keyed as the run form's (`steps.<step>.<param>`). */
  errorsOf(alias: string): FieldErrors {
    const prefix = `steps.${alias}.`;
    const errors: FieldErrors = {};
    for (const [key, message] of Object.entries(this._errors)) {
      if (key.startsWith(prefix)) {
        errors[`steps.${key.slice(prefix.length)}`] = message;
      }
    }
    return errors;
  }

  /** A problem that belongs to no field, or null. */
  get generalError(): IProblem | null {
    return this._generalError;
  }

  /** Whether the run is being created. */
  get submitting(): boolean {
    return this._submitting;
  }

  /** Whether Run can be pressed: the plan is there and has jobs. */
  get canSubmit(): boolean {
    const plan = this._plan.state.value;
    return plan !== null && plan.jobs.length > 0 && !this._submitting;
  }

  /** Emitted with a field's key when the view should focus it. */
  get focusRequested(): ISignal<this, string> {
    return this._focusRequested;
  }

  /** Ask for the plan again. */
  async replan(): Promise<void> {
    await this._loadPlan();
  }

  /**
   * The body of `POST /runs`, or the problems by field when a value does not
   * validate (parameters of pipelines whose spec was never loaded are not sent:
   * they keep their defaults).
   */
  request(force: boolean): IRunCreate | { errors: FieldErrors } {
    const errors: FieldErrors = {};
    const steps: NonNullable<IRunCreate['steps']> = {};
    for (const alias of this.pipelines) {
      const spec = this._specs.get(alias)?.state.value;
      const draft = this._drafts[alias];
      if (!spec || !draft) {
        continue;
      }
      const built = buildRequest(spec, {
        ...draft,
        crdsContext: '',
        outputDir: ''
      });
      if ('errors' in built) {
        for (const [key, message] of Object.entries(built.errors)) {
          errors[`steps.${alias}.${key.slice('steps.'.length)}`] = message;
        }
      } else if (Object.keys(built.steps).length > 0) {
        steps[alias] = built.steps as Record<string, Record<string, unknown>>;
      }
    }
    // The context and folder are checked as the run form checks them.
    const common = checkContextAndFolder(this._crdsContext, this._outputDir);
    if ('errors' in common) {
      Object.assign(errors, common.errors);
    }
    if (Object.keys(errors).length > 0 || 'errors' in common) {
      return { errors };
    }
    return {
      inputs: [...this.inputs],
      target_level: this.targetLevel,
      steps,
      crds_context: common.crds_context,
      output_dir: common.output_dir,
      force
    };
  }

  /**
   * Create the run (`force` after a memory refusal the user overrides).
   * Resolves with it, or null when something is left to fix or refused (the
   * problem is in the model).
   */
  async submit(force = false): Promise<IRunRecord | null> {
    if (!this.canSubmit) {
      return null;
    }
    const request = this.request(force);
    if ('errors' in request) {
      this._errors = request.errors;
      this._generalError = null;
      this._focus(Object.keys(request.errors)[0]);
      this.emitChanged();
      return null;
    }
    this._submitting = true;
    this._errors = {};
    this._generalError = null;
    this.emitChanged();
    try {
      const run = await this._client.createRun(request);
      this._submitting = false;
      this._refusal = null;
      this.emitChanged();
      return run;
    } catch (error) {
      this._submitting = false;
      this._place(problemOf(error));
      this.emitChanged();
      return null;
    }
  }

  private _place(problem: IProblem): void {
    if (problem.status === 409 && problem.reason === 'insufficient_memory') {
      this._refusal = { message: problem.message };
      return;
    }
    const field = problem.field;
    if (field === 'crds_context' || field === 'output_dir') {
      this._errors = { [field]: problem.message };
      this._focus(field);
      return;
    }
    const parts = (field ?? '').split('.');
    if (parts.length >= 4 && parts[0] === 'steps') {
      const alias = parts[1];
      const spec = this._specs.get(alias)?.state.value;
      const key = spec
        ? formFieldOf(['steps', ...parts.slice(2)].join('.'), spec)
        : null;
      if (key) {
        const [, step, param] = key.split('.');
        const placed = planFieldKey(alias, step, param);
        this._errors = { [placed]: problem.message };
        this._focus(placed);
        return;
      }
    }
    this._generalError = problem;
  }

  private _focus(key: string): void {
    const parts = key.split('.');
    if (parts[0] === 'steps' && parts.length >= 4) {
      const [, alias, step] = parts;
      this._open = alias;
      this._expanded = { ...this._expanded, [`${alias}.${step}`]: true };
      this._focusRequested.emit(fieldKey(step, parts.slice(3).join('.')));
      return;
    }
    this._focusRequested.emit(key);
  }

  private _clearError(key: string): void {
    this._errors = withoutFieldError(this._errors, key);
  }

  private async _loadPlan(): Promise<void> {
    const ask = (force: boolean) =>
      this._client.planRun({
        inputs: [...this.inputs],
        target_level: this.targetLevel,
        force
      });
    const problem = await this._plan.load(() => ask(false), {
      keepValue: false
    });
    if (problem?.status === 409 && problem.reason === 'insufficient_memory') {
      // Show the plan anyway: the user may run it with `force`.
      this._refusal = { message: problem.message };
      await this._plan.load(() => ask(true), { keepValue: false });
    }
  }

  private async _loadSpec(alias: string): Promise<void> {
    let loader = this._specs.get(alias);
    if (!loader) {
      loader = new Loader<IPipelineSpec>(() => this.emitChanged());
      this._specs.set(alias, loader);
    }
    if (loader.state.status === 'ready' || loader.state.status === 'loading') {
      return;
    }
    const problem = await loader.load(() =>
      this._client.getPipelineSpec(alias)
    );
    const spec = loader.state.value;
    if (problem === null && spec && !this._drafts[alias]) {
      this._drafts = { ...this._drafts, [alias]: initialDraft(spec) };
      this.emitChanged();
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _plan = new Loader<IRunPlan>(() => this.emitChanged());
  private readonly _specs = new Map<string, Loader<IPipelineSpec>>();
  private _drafts: Record<string, IRunDraft> = {};
  private _expanded: Record<string, boolean> = {};
  private _open: string | null = null;
  private _crdsContext = '';
  private _outputDir = '';
  private _errors: FieldErrors = {};
  private _generalError: IProblem | null = null;
  private _refusal: IMemoryRefusal | null = null;
  private _submitting = false;
  private _focusRequested = new Signal<this, string>(this);
}

/** The namespace for `PlanModel` statics. */
export namespace PlanModel {
  /** Options to plan a run. */
  export interface IOptions {
    client: IJwstLabClient;
    inputs: readonly string[];
    targetLevel: TargetLevel;
  }
}
