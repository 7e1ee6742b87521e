import { TranslationBundle } from '@jupyterlab/translation';

import type { IProblem } from '../api/errors';
import type { IMastSearchParams } from '../api/models';
import { loadTrans } from '../translation';
import { parseTargetQuery } from './targetQuery';

/** Largest search radius the form accepts, in arcmin. */
export const MAX_RADIUS_ARCMIN = 60;

/** Search radius used when no setting says otherwise, in degrees (3 arcmin). */
export const DEFAULT_RADIUS_DEG = 0.05;

/** JWST instruments, as the search's `instrument` parameter names them. */
export const INSTRUMENTS = ['MIRI', 'NIRCAM', 'NIRSPEC', 'NIRISS', 'FGS'];

/** Values of MAST's `dataRights` the form can ask for (the search's `data_rights`). */
export const DATA_RIGHTS: readonly MastDataRights[] = [
  'PUBLIC',
  'EXCLUSIVE_ACCESS',
  'RESTRICTED'
];

/** A `data_rights` value of the search. */
export type MastDataRights = NonNullable<IMastSearchParams['data_rights']>;

/** Whether `value` is one of the search's `data_rights` values. */
function isDataRights(value: string): value is MastDataRights {
  return (DATA_RIGHTS as readonly string[]).includes(value);
}

/** Calibration levels of MAST products (0 planned … 4 high-level). */
export const CALIB_LEVELS = ['1', '2', '3', '4'];

/** What the search form holds, as typed (every field a string). */
export interface IMastSearchForm {
  /** A target name, or coordinates (see `parseTargetQuery`). */
  target: string;
  /** Cone radius in arcmin. */
  radius: string;
  instrument: string;
  filters: string;
  proposal_id: string;
  calib_level: string;
  data_rights: string;
  /** ISO dates (`YYYY-MM-DD`). */
  t_min: string;
  t_max: string;
}

/** A field of the search form. */
export type MastFormField = keyof IMastSearchForm;

/** Messages per form field; `form` is for problems that belong to no field. */
export type MastFormErrors = Partial<Record<MastFormField | 'form', string>>;

const FORM_FIELDS: MastFormField[] = [
  'target',
  'radius',
  'instrument',
  'filters',
  'proposal_id',
  'calib_level',
  'data_rights',
  't_min',
  't_max'
];

const defaultTrans = loadTrans();

/** An empty form whose radius is `radiusDeg` degrees. */
export function emptyForm(radiusDeg = DEFAULT_RADIUS_DEG): IMastSearchForm {
  return {
    target: '',
    radius: formatArcmin(radiusDeg),
    instrument: '',
    filters: '',
    proposal_id: '',
    calib_level: '',
    data_rights: '',
    t_min: '',
    t_max: ''
  };
}

/** A radius in arcmin from degrees, without float noise (0.05° → `3`). */
export function formatArcmin(degrees: number): string {
  return String(Number((degrees * 60).toFixed(4)));
}

/** The radius typed in arcmin, or null when it is not a number in (0, MAX_RADIUS_ARCMIN]. */
export function parseRadiusArcmin(text: string): number | null {
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_RADIUS_ARCMIN
  ) {
    return null;
  }
  return value;
}

/** Whether `value` is a saved form (as restored from the state database). */
export function isSearchForm(value: unknown): value is IMastSearchForm {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const raw = value as Record<string, unknown>;
  return FORM_FIELDS.every(field => typeof raw[field] === 'string');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Check the form and build the search parameters (without paging): the
 * parameters, or null with a message for each field that is wrong.
 */
export function buildSearch(
  form: IMastSearchForm,
  trans: TranslationBundle = defaultTrans
): { params: IMastSearchParams | null; errors: MastFormErrors } {
  const errors: MastFormErrors = {};
  const params: IMastSearchParams = {};
  const query = parseTargetQuery(form.target, trans);
  if (query.kind === 'invalid') {
    errors.target = query.message;
  } else if (query.kind !== 'empty') {
    if (query.kind === 'name') {
      params.target = query.name;
    } else {
      params.ra = query.ra;
      params.dec = query.dec;
    }
    const radius = parseRadiusArcmin(form.radius);
    if (radius === null) {
      errors.radius = trans.__(
        'The radius must be more than 0 and at most %1 arcmin.',
        MAX_RADIUS_ARCMIN
      );
    } else {
      params.radius = Number((radius / 60).toPrecision(12));
    }
  }
  if (form.instrument) {
    params.instrument = form.instrument;
  }
  const filters = form.filters.trim();
  if (filters) {
    if (!/^[A-Za-z0-9_;,+\s-]+$/.test(filters)) {
      errors.filters = trans.__(
        'Filters are names like F770W; separate several with commas.'
      );
    } else {
      params.filters = filters
        .split(/[\s,;]+/)
        .filter(Boolean)
        .join(',')
        .toUpperCase();
    }
  }
  const program = form.proposal_id.trim();
  if (program) {
    if (!/^\d{1,6}$/.test(program)) {
      errors.proposal_id = trans.__(
        'A program is a number of up to 6 digits, e.g. 1234.'
      );
    } else {
      params.proposal_id = program;
    }
  }
  if (form.calib_level) {
    params.calib_level = form.calib_level;
  }
  if (form.data_rights) {
    if (isDataRights(form.data_rights)) {
      params.data_rights = form.data_rights;
    } else {
      errors.data_rights = trans.__(
        'Data rights are one of %1.',
        DATA_RIGHTS.join(', ')
      );
    }
  }
  for (const field of ['t_min', 't_max'] as const) {
    const value = form[field].trim();
    if (!value) {
      continue;
    }
    if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
      errors[field] = trans.__('Give a date as YYYY-MM-DD.');
    } else {
      params[field] = value;
    }
  }
  if (
    params.t_min &&
    params.t_max &&
    Date.parse(params.t_min) > Date.parse(params.t_max)
  ) {
    errors.t_max = trans.__('The end date is before the start date.');
  }
  if (
    Object.keys(errors).length === 0 &&
    Object.keys(params).length === 0 &&
    query.kind === 'empty'
  ) {
    errors.form = trans.__(
      'Give a target, coordinates or at least one criterion.'
    );
  }
  return {
    params: Object.keys(errors).length === 0 ? params : null,
    errors
  };
}

/** Server parameter names and the form field that sets each. */
const SERVER_FIELDS: Record<string, MastFormField> = {
  target: 'target',
  ra: 'target',
  dec: 'target',
  radius: 'radius',
  instrument: 'instrument',
  filters: 'filters',
  proposal_id: 'proposal_id',
  calib_level: 'calib_level',
  data_rights: 'data_rights',
  t_min: 't_min',
  t_max: 't_max'
};

/**
 * Where a server error about the search goes: next to the form field its
 * `field` names (`ra` and `dec` are the target's), or as the form's general
 * error when it names no form field or none at all.
 */
export function formErrorsOf(problem: IProblem): MastFormErrors {
  const head = problem.field?.split(/[.[]/)[0] ?? '';
  const field = Object.prototype.hasOwnProperty.call(SERVER_FIELDS, head)
    ? SERVER_FIELDS[head]
    : 'form';
  return { [field]: problem.message };
}
