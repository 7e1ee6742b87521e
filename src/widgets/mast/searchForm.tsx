import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  CALIB_LEVELS,
  DATA_RIGHTS,
  IMastSearchForm,
  INSTRUMENTS,
  MastFormField,
  MAX_RADIUS_ARCMIN
} from '../../mast/form';
import type { MastSearchModel } from '../../mast/searchModel';
import { describeTargetQuery, parseTargetQuery } from '../../mast/targetQuery';
import { useModel } from '../../models/useModel';
import type { IMastSearchRequest } from './panel';

/** Props of {@link MastSearchForm}. */
export interface IMastSearchFormProps {
  model: MastSearchModel;
  trans: TranslationBundle;
  /** Whether the server provides MAST search. */
  enabled: boolean;
  /** Called when a search for a target or coordinates is submitted. */
  onSearch: (request: IMastSearchRequest) => void;
  /** Called when any valid search is submitted (before its answer). */
  onSubmitted?: () => void;
}

/**
 * The search form: target or coordinates, radius and criteria. Each field
 * shows its own problem: the form's checks as the user types, and the server's
 * answer to the last search when it names the field (`field` of a 400).
 */
export function MastSearchForm({
  model: search,
  trans,
  enabled,
  onSearch,
  onSubmitted
}: IMastSearchFormProps): JSX.Element {
  const model = useModel(search);
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
  const loading = model.state.status === 'loading';
  const canSubmit = enabled && params !== null && !loading;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    // The model's state now, not this render's: a submit may follow a change
    // before React rendered it.
    const current = model.validation.params;
    if (!enabled || current === null || model.state.status === 'loading') {
      return;
    }
    const target = parseTargetQuery(model.form.target, trans);
    if (target.kind === 'name' || target.kind === 'coordinates') {
      onSearch({ target, radius: current.radius ?? 0 });
    }
    onSubmitted?.();
    void model.submit(1);
  };

  const set =
    (field: MastFormField) =>
    (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>): void =>
      model.setForm({
        [field]: event.target.value
      } as Partial<IMastSearchForm>);

  const errorId = (name: MastFormField) => `${ids.form}-${name}`;
  // What every control of the grid shares: its value, and its problem's wiring.
  const control = (name: MastFormField) => ({
    name,
    value: form[name],
    onChange: set(name),
    'aria-describedby': errors[name] ? errorId(name) : undefined,
    'aria-invalid': !!errors[name]
  });
  // A labelled control with its problem (the form's check, or the server's).
  const field = (
    name: MastFormField,
    label: string,
    input: JSX.Element,
    className?: string
  ) => (
    <label
      className={['jp-JwstLab-field', className].filter(Boolean).join(' ')}
    >
      <span className="jp-JwstLab-fieldLabel">{label}</span>
      {input}
      {errors[name] ? (
        <p
          id={errorId(name)}
          className="jp-JwstLab-fieldError"
          data-field={name}
          aria-live="polite"
        >
          {errors[name]}
        </p>
      ) : null}
    </label>
  );
  // "Any", then the values a select offers.
  const options = (
    values: readonly string[],
    label: (value: string) => string = value => value
  ) => [
    <option key="" value="">
      {trans.__('Any')}
    </option>,
    ...values.map(value => (
      <option key={value} value={value}>
        {label(value)}
      </option>
    ))
  ];

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
        data-kind={
          errors.target && query.kind !== 'invalid' ? 'error' : query.kind
        }
        aria-live="polite"
      >
        {errors.target && query.kind !== 'invalid'
          ? errors.target
          : describeTargetQuery(query, trans)}
      </p>
      {errors.target && query.kind !== 'invalid' && model.targetDetail ? (
        <details className="jp-JwstLab-mastQueryDetail">
          <summary>{trans.__('Details')}</summary>
          <p>{model.targetDetail}</p>
        </details>
      ) : null}
      <div className="jp-JwstLab-mastGrid">
        {field(
          'radius',
          trans.__('Radius (arcmin)'),
          <input
            className="jp-JwstLab-mastRadius jp-mod-styled"
            type="number"
            min={0}
            max={MAX_RADIUS_ARCMIN}
            step="any"
            {...control('radius')}
          />,
          'jp-JwstLab-mastRadiusField'
        )}
        {field(
          'instrument',
          trans.__('Instrument'),
          <select
            className="jp-JwstLab-mastInstrument jp-mod-styled"
            {...control('instrument')}
          >
            {options(INSTRUMENTS)}
          </select>
        )}
        {field(
          'filters',
          trans.__('Filters'),
          <input
            className="jp-JwstLab-mastFilters jp-mod-styled"
            type="text"
            placeholder="F770W, F1800W"
            autoComplete="off"
            spellCheck={false}
            {...control('filters')}
          />
        )}
        {field(
          'proposal_id',
          trans.__('Program'),
          <input
            className="jp-JwstLab-mastProgram jp-mod-styled"
            type="text"
            inputMode="numeric"
            placeholder="1234"
            autoComplete="off"
            {...control('proposal_id')}
          />
        )}
        {field(
          'calib_level',
          trans.__('Calibration level'),
          <select
            className="jp-JwstLab-mastCalibLevel jp-mod-styled"
            {...control('calib_level')}
          >
            {options(CALIB_LEVELS)}
          </select>
        )}
        {field(
          'data_rights',
          trans.__('Data rights'),
          <select
            className="jp-JwstLab-mastDataRights jp-mod-styled"
            {...control('data_rights')}
          >
            {options(DATA_RIGHTS, rights =>
              rights === 'PUBLIC'
                ? trans.__('Public')
                : rights === 'EXCLUSIVE_ACCESS'
                  ? trans.__('Exclusive access')
                  : trans.__('Restricted')
            )}
          </select>
        )}
        {field(
          't_min',
          trans.__('Observed from'),
          <input
            className="jp-JwstLab-mastTMin jp-mod-styled"
            type="date"
            {...control('t_min')}
          />
        )}
        {field(
          't_max',
          trans.__('Observed until'),
          <input
            className="jp-JwstLab-mastTMax jp-mod-styled"
            type="date"
            {...control('t_max')}
          />
        )}
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
