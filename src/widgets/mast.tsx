import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { IEventsConnection } from '../api/events';
import { CapabilityNote } from '../components/CapabilityNote';
import { mastIcon } from '../icons';
import {
  CALIB_LEVELS,
  DATA_RIGHTS,
  DEFAULT_RADIUS_DEG,
  IMastSearchForm,
  INSTRUMENTS,
  MastFormField,
  MAX_RADIUS_ARCMIN
} from '../mast/form';
import { IMastSavedSearch, MastSearchModel } from '../mast/model';
import {
  describeTargetQuery,
  parseTargetQuery,
  TargetQuery
} from '../mast/targetQuery';
import {
  Features,
  IJwstLabClient,
  PanelIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import {
  MastDownload,
  MastProducts,
  MastResults,
  MastToken
} from './mastResults';
import { JwstLabSidePanel } from './panel';
import { capabilityNotice, useServerInfo } from './serverInfo';

export { DEFAULT_RADIUS_DEG, MAX_RADIUS_ARCMIN } from '../mast/form';

/** A search the user submitted: a target to resolve or coordinates, and a cone radius. */
export interface IMastSearchRequest {
  target: Extract<TargetQuery, { kind: 'name' | 'coordinates' }>;
  /** Cone radius in degrees. */
  radius: number;
}

/**
 * The MAST sidebar panel: a search form, the results (virtualised, sortable,
 * paged by the server), an observation's products to tick, their download
 * with its progress, and the MAST token.
 *
 * Controls that call the server are enabled only when the server lists the
 * `mast` (search, token) and `downloads` features.
 */
export class MastPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: MastPanel.IOptions) {
    const translator = options.translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    super({
      id: PanelIds.mast,
      label: trans.__('MAST Search'),
      caption: trans.__(
        'MAST Search: find JWST observations by target or coordinates'
      ),
      icon: mastIcon,
      translator
    });
    this._client = options.client;
    this._jwstTrans = trans;
    this._defaultRadius = options.defaultRadius ?? DEFAULT_RADIUS_DEG;
    this._copy =
      options.copy ?? (text => void navigator.clipboard?.writeText(text));
    this._openFolder = options.openFolder ?? null;
    this._defaultFolder = options.defaultFolder ?? (() => '');
    this.model = new MastSearchModel({
      client: options.client,
      events: options.events ?? null,
      defaultRadius: this._defaultRadius,
      trans
    });
    this.addClass('jp-JwstLab-mastPanel');
  }

  /** The panel's state: form, results, products, download, token. */
  readonly model: MastSearchModel;

  /** The radius the form starts with, in degrees. */
  get defaultRadius(): number {
    return this._defaultRadius;
  }

  set defaultRadius(degrees: number) {
    if (degrees === this._defaultRadius) {
      return;
    }
    this._defaultRadius = degrees;
    this.model.setDefaultRadius(degrees);
  }

  /** Emitted when the user submits a valid search for a target or coordinates. */
  get searchRequested(): ISignal<this, IMastSearchRequest> {
    return this._searchRequested;
  }

  /**
   * Put back a search saved before a reload and, once the server is known to
   * provide MAST search, run it again at its page.
   */
  async restore(saved: IMastSavedSearch): Promise<void> {
    let run = false;
    try {
      const info = this._client.info ?? (await this._client.getInfo());
      run = info.features.includes(Features.mast);
    } catch {
      run = false;
    }
    await this.model.restore(saved, run);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected renderBody(): React.ReactElement {
    return (
      <MastView
        client={this._client}
        model={this.model}
        trans={this._jwstTrans}
        copy={this._copy}
        openFolder={this._openFolder}
        defaultFolder={this._defaultFolder}
        onSearch={request => this._searchRequested.emit(request)}
      />
    );
  }

  private readonly _client: IJwstLabClient;
  private readonly _jwstTrans: TranslationBundle;
  private readonly _copy: (text: string) => void;
  private readonly _openFolder: ((path: string) => void) | null;
  private readonly _defaultFolder: () => string;
  private _defaultRadius: number;
  private _searchRequested = new Signal<this, IMastSearchRequest>(this);
}

/** The namespace for `MastPanel` statics. */
export namespace MastPanel {
  /** Options to create the MAST panel. */
  export interface IOptions {
    client: IJwstLabClient;
    /** Job events, to follow downloads live (the panel polls without them). */
    events?: IEventsConnection | null;
    /** Initial search radius in degrees. */
    defaultRadius?: number;
    /** Copy text to the clipboard (default: the system clipboard). */
    copy?: (text: string) => void;
    /** Show a folder (relative to the server root) in the file browser. */
    openFolder?: (path: string) => void;
    /** The folder downloads go to unless the user picks one (relative to the root). */
    defaultFolder?: () => string;
    translator?: ITranslator;
  }
}

/** Re-render when the model changes. */
export function useModelChanged(model: MastSearchModel): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const onChange = () => setTick(tick => tick + 1);
    model.changed.connect(onChange);
    return () => {
      model.changed.disconnect(onChange);
    };
  }, [model]);
}

interface IMastViewProps {
  client: IJwstLabClient;
  model: MastSearchModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
  openFolder: ((path: string) => void) | null;
  defaultFolder: () => string;
  onSearch: (request: IMastSearchRequest) => void;
}

function MastView(props: IMastViewProps): JSX.Element {
  const { client, model, trans } = props;
  useModelChanged(model);
  const { state } = useServerInfo(client);
  const notice = capabilityNotice(
    state,
    Features.mast,
    trans.__('MAST search'),
    trans
  );
  const downloadsNotice = capabilityNotice(
    state,
    Features.downloads,
    trans.__('downloads'),
    trans
  );
  const available = notice === null;

  React.useEffect(() => {
    if (available && model.token.status === 'idle') {
      void model.refreshToken();
    }
  }, [available, model]);

  const search = model.search;
  return (
    <div className="jp-JwstLab-mast">
      <MastSearchForm {...props} enabled={available} />
      <CapabilityNote notice={notice} />
      {search.error ? (
        <div
          className="jp-JwstLab-banner"
          role="alert"
          data-status={search.error.status}
        >
          {search.error.status === 502
            ? trans.__(
                'MAST did not answer as expected: %1',
                search.error.message
              )
            : search.error.message}
        </div>
      ) : null}
      <MastResults model={model} trans={trans} copy={props.copy} />
      <MastProducts
        model={model}
        trans={trans}
        copy={props.copy}
        defaultFolder={props.defaultFolder}
      />
      <MastDownload
        model={model}
        trans={trans}
        copy={props.copy}
        notice={downloadsNotice}
        openFolder={props.openFolder}
      />
      {available ? <MastToken model={model} trans={trans} /> : null}
    </div>
  );
}

interface IMastSearchFormProps extends IMastViewProps {
  enabled: boolean;
}

function MastSearchForm({
  model,
  trans,
  enabled,
  onSearch
}: IMastSearchFormProps): JSX.Element {
  const form = model.form;
  const errors = model.formErrors;
  const ids = {
    hint: React.useId(),
    radius: React.useId(),
    form: React.useId()
  };
  const query = React.useMemo(
    () => parseTargetQuery(form.target, trans),
    [form.target, trans]
  );
  const { params } = model.validation;
  const loading = model.search.status === 'loading';
  const canSubmit = enabled && params !== null && !loading;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    // The model's state now, not this render's: a submit may follow a change
    // before React rendered it.
    const current = model.validation.params;
    if (!enabled || current === null || model.search.status === 'loading') {
      return;
    }
    const target = parseTargetQuery(model.form.target, trans);
    if (target.kind === 'name' || target.kind === 'coordinates') {
      onSearch({ target, radius: current.radius ?? 0 });
    }
    void model.submit(1);
  };

  const set =
    (field: MastFormField) =>
    (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>): void =>
      model.setForm({
        [field]: event.target.value
      } as Partial<IMastSearchForm>);

  const errorOf = (field: MastFormField) => {
    const message = errors[field];
    return message ? (
      <p
        id={`${ids.form}-${field}`}
        className="jp-JwstLab-fieldError"
        data-field={field}
        aria-live="polite"
      >
        {message}
      </p>
    ) : null;
  };
  const described = (field: MastFormField) =>
    errors[field] ? `${ids.form}-${field}` : undefined;

  return (
    <form
      className="jp-JwstLab-form jp-JwstLab-mastForm"
      onSubmit={submit}
      noValidate
    >
      <label className="jp-JwstLab-field">
        <span className="jp-JwstLab-fieldLabel">{trans.__('Target')}</span>
        <input
          className="jp-JwstLab-mastQuery jp-mod-styled"
          type="text"
          name="target"
          aria-label={trans.__('Target name or coordinates')}
          aria-describedby={ids.hint}
          aria-invalid={query.kind === 'invalid' || !!errors.target}
          placeholder={trans.__('NGC 3132 or 83.82 -5.39')}
          autoComplete="off"
          spellCheck={false}
          value={form.target}
          onChange={set('target')}
        />
      </label>
      <p
        id={ids.hint}
        className="jp-JwstLab-mastQueryHint"
        data-kind={query.kind}
        aria-live="polite"
      >
        {errors.target && query.kind !== 'invalid'
          ? errors.target
          : describeTargetQuery(query, trans)}
      </p>
      <div className="jp-JwstLab-mastGrid">
        <label className="jp-JwstLab-field jp-JwstLab-mastRadiusField">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Radius (arcmin)')}
          </span>
          <input
            className="jp-JwstLab-mastRadius jp-mod-styled"
            type="number"
            name="radius"
            min={0}
            max={MAX_RADIUS_ARCMIN}
            step="any"
            aria-describedby={described('radius')}
            aria-invalid={!!errors.radius}
            value={form.radius}
            onChange={set('radius')}
          />
          {errorOf('radius')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Instrument')}
          </span>
          <select
            className="jp-JwstLab-mastInstrument jp-mod-styled"
            name="instrument"
            aria-describedby={described('instrument')}
            aria-invalid={!!errors.instrument}
            value={form.instrument}
            onChange={set('instrument')}
          >
            <option value="">{trans.__('Any')}</option>
            {INSTRUMENTS.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {errorOf('instrument')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">{trans.__('Filters')}</span>
          <input
            className="jp-JwstLab-mastFilters jp-mod-styled"
            type="text"
            name="filters"
            placeholder="F770W, F1800W"
            autoComplete="off"
            spellCheck={false}
            aria-describedby={described('filters')}
            aria-invalid={!!errors.filters}
            value={form.filters}
            onChange={set('filters')}
          />
          {errorOf('filters')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">{trans.__('Program')}</span>
          <input
            className="jp-JwstLab-mastProgram jp-mod-styled"
            type="text"
            name="proposal_id"
            inputMode="numeric"
            placeholder="1234"
            autoComplete="off"
            aria-describedby={described('proposal_id')}
            aria-invalid={!!errors.proposal_id}
            value={form.proposal_id}
            onChange={set('proposal_id')}
          />
          {errorOf('proposal_id')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Calibration level')}
          </span>
          <select
            className="jp-JwstLab-mastCalibLevel jp-mod-styled"
            name="calib_level"
            aria-describedby={described('calib_level')}
            aria-invalid={!!errors.calib_level}
            value={form.calib_level}
            onChange={set('calib_level')}
          >
            <option value="">{trans.__('Any')}</option>
            {CALIB_LEVELS.map(level => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
          {errorOf('calib_level')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Data rights')}
          </span>
          <select
            className="jp-JwstLab-mastDataRights jp-mod-styled"
            name="data_rights"
            aria-describedby={described('data_rights')}
            aria-invalid={!!errors.data_rights}
            value={form.data_rights}
            onChange={set('data_rights')}
          >
            <option value="">{trans.__('Any')}</option>
            {DATA_RIGHTS.map(rights => (
              <option key={rights} value={rights}>
                {rights === 'PUBLIC'
                  ? trans.__('Public')
                  : rights === 'EXCLUSIVE_ACCESS'
                    ? trans.__('Exclusive access')
                    : trans.__('Restricted')}
              </option>
            ))}
          </select>
          {errorOf('data_rights')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Observed from')}
          </span>
          <input
            className="jp-JwstLab-mastTMin jp-mod-styled"
            type="date"
            name="t_min"
            aria-describedby={described('t_min')}
            aria-invalid={!!errors.t_min}
            value={form.t_min}
            onChange={set('t_min')}
          />
          {errorOf('t_min')}
        </label>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Observed until')}
          </span>
          <input
            className="jp-JwstLab-mastTMax jp-mod-styled"
            type="date"
            name="t_max"
            aria-describedby={described('t_max')}
            aria-invalid={!!errors.t_max}
            value={form.t_max}
            onChange={set('t_max')}
          />
          {errorOf('t_max')}
        </label>
      </div>
      {model.serverErrors.form ? (
        <p
          className="jp-JwstLab-fieldError"
          data-field="form"
          aria-live="polite"
        >
          {model.serverErrors.form}
        </p>
      ) : errors.form ? (
        <p className="jp-JwstLab-mastFormHint" aria-live="polite">
          {errors.form}
        </p>
      ) : null}
      <div className="jp-JwstLab-formRow jp-JwstLab-mastActions">
        <button
          type="submit"
          className="jp-JwstLab-mastSearch jp-mod-styled jp-mod-accept"
          disabled={!canSubmit}
        >
          {loading ? trans.__('Searching…') : trans.__('Search')}
        </button>
      </div>
    </form>
  );
}
