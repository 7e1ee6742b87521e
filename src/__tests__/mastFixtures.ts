import type {
  IMastColumn,
  IMastProductsResult,
  IMastSearchResult,
  MastRow
} from '../api/models';
import { MastPanel } from '../widgets/mast/panel';
import { MastResultsDocument } from '../widgets/mast/resultsDocument';
import {
  attach,
  FakeClient,
  fill,
  makeClient,
  query,
  queryAll,
  submit,
  waitFor
} from './fixtures';

/** The columns the search route answers with, in its order. */
export const OBSERVATION_COLUMNS = [
  'obs_collection',
  'obs_id',
  'obsid',
  'target_name',
  's_ra',
  's_dec',
  'instrument_name',
  'filters',
  'proposal_id',
  'calib_level',
  'dataRights',
  't_min',
  't_max'
];

/** The types the server gives those columns (the others are strings). */
const COLUMN_TYPES: Record<string, IMastColumn['type']> = {
  s_ra: 'float',
  s_dec: 'float',
  calib_level: 'int',
  t_min: 'float',
  t_max: 'float'
};

/** An observation row like the server's, with `overrides`. */
export function makeObservation(
  index: number,
  overrides: Partial<MastRow> = {}
): MastRow {
  return {
    obs_collection: 'JWST',
    obs_id: `jw01234-o${String(index).padStart(3, '0')}_t001_miri_f770w`,
    obsid: String(90000000 + index),
    target_name: `TARGET-${index}`,
    s_ra: 269.7275 + index * 1e-4,
    s_dec: 66.045,
    instrument_name: 'MIRI/IMAGE',
    filters: 'F770W',
    proposal_id: '1234',
    calib_level: 3,
    dataRights: 'PUBLIC',
    t_min: 60000.5 + index,
    t_max: 60000.6 + index,
    ...overrides
  };
}

/** A search answer holding `rows` out of `total`. */
export function makeSearchResult(
  rows: MastRow[],
  options: { total?: number; page?: number; page_size?: number } = {}
): IMastSearchResult {
  return {
    rows,
    total: options.total ?? rows.length,
    page: options.page ?? 1,
    page_size: options.page_size ?? 1000,
    columns: OBSERVATION_COLUMNS.map(name => ({
      name,
      type: COLUMN_TYPES[name] ?? 'string'
    })),
    source: 'local',
    cone: null,
    notice: null,
    python:
      'from astroquery.mast import Observations\nObservations.query_criteria(target_name="DEMO-FIELD")'
  };
}

/** A products answer (of observation `90000001`) holding `rows`. */
export function makeProductsResult(
  rows: MastRow[],
  options: { total?: number; python?: string } = {}
): IMastProductsResult {
  return {
    obsid: '90000001',
    rows,
    total: options.total ?? rows.length,
    columns: [],
    source: 'local',
    python: options.python ?? '',
    download_url: 'https://mast.stsci.edu/api/v0.1/Download/file?uri=',
    notice: null
  };
}

/** A product row like the server's. */
export function makeProduct(
  name: string,
  options: {
    type?: string;
    level?: number;
    size?: number;
    recommended?: boolean;
    subgroup?: string;
  } = {}
): MastRow {
  return {
    obsID: '90000001',
    productFilename: name,
    dataURI: `mast:JWST/product/${name}`,
    productType: options.type ?? 'SCIENCE',
    productSubGroupDescription: options.subgroup ?? 'CAL',
    calib_level: options.level ?? 2,
    size: options.size ?? 1000,
    productGroupDescription: options.recommended
      ? 'Minimum Recommended Products'
      : null
  };
}

/** A client whose server provides MAST search and downloads. */
export function mastClient(): FakeClient {
  return makeClient({
    features: ['info', 'events', 'mast', 'downloads', 'jobs']
  });
}

/**
 * The MAST panel of `options`, attached, once its search form is enabled;
 * its results document is shown inside it, so that one node holds the form,
 * the results grid, the footprints, the products and the basket.
 */
export async function openPanel(
  options: MastPanel.IOptions
): Promise<MastPanel> {
  const panel = withResults(attach(new MastPanel(options)), options.copy);
  await searchReady(panel);
  return panel;
}

/** Show the panel's results document inside the panel (one node holds both). */
export function withResults(
  panel: MastPanel,
  copy: (text: string) => void = () => undefined
): MastPanel {
  panel.content.addWidget(new MastResultsDocument({ panel, copy }));
  return panel;
}

/** Wait until the panel's search form is enabled (the server answered /info). */
export async function searchReady(panel: MastPanel): Promise<void> {
  await waitFor(() => {
    query(panel, 'form.jp-JwstLab-mastForm');
    expect(panel.node.querySelector('.jp-JwstLab-capabilityNote')).toBeNull();
  });
}

/** Submit the search form the way Enter in a field does. */
export function submitForm(panel: MastPanel): void {
  submit(panel, 'form.jp-JwstLab-mastForm');
}

/** Type `value` into the search field matching `selector` and search. */
export function search(
  panel: MastPanel,
  selector: string,
  value: string
): void {
  fill(panel, selector, value);
  submitForm(panel);
}

/** The rows of the observations table. */
export const OBSERVATION_ROWS = '.jp-JwstLab-mastTable .jp-JwstLab-vtableRow';

/** The rows of the products table. */
export const PRODUCT_ROWS = '.jp-JwstLab-productTable .jp-JwstLab-vtableRow';

/** Wait until the table shows `rows` (`count` of them, when given). */
export async function rowsShown(
  panel: MastPanel,
  count?: number,
  rows = OBSERVATION_ROWS
): Promise<void> {
  await waitFor(() =>
    count === undefined
      ? query(panel, rows)
      : expect(queryAll(panel, rows)).toHaveLength(count)
  );
}
