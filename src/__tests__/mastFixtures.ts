import { ISignal, Signal } from '@lumino/signaling';

import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IMastColumn,
  IMastProductsResult,
  IMastSearchResult,
  MastRow
} from '../api/models';
import { MastPanel } from '../widgets/mast/panel';
import { FakeClient, makeInfo, query, waitFor } from './fixtures';

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

/** An events connection the test drives. */
export class FakeEvents implements IEventsConnection {
  connectionState: ConnectionState = 'open';
  readonly connectionStateChanged: ISignal<IEventsConnection, ConnectionState> =
    new Signal(this);
  readonly events: ISignal<IEventsConnection, EventsStreamMessage> = new Signal(
    this
  );

  /** Publish a server event. */
  emit(type: string, payload: Record<string, unknown>): void {
    (this.events as Signal<IEventsConnection, EventsStreamMessage>).emit({
      type,
      seq: ++this._seq,
      time: Date.now() / 1000,
      ...payload
    });
  }

  private _seq = 0;
}

/** A client whose server provides MAST search and downloads. */
export function mastClient(): FakeClient {
  const info = makeInfo({
    features: ['info', 'events', 'mast', 'downloads', 'jobs']
  });
  return new FakeClient(() => Promise.resolve(info));
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
  query<HTMLFormElement>(panel, 'form.jp-JwstLab-mastForm').dispatchEvent(
    new Event('submit', { bubbles: true, cancelable: true })
  );
}
