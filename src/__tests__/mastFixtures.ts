import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IMastSearchResult,
  MastRow
} from '../api/types';
import { MastPanel } from '../widgets/mast';
import { FakeClient, makeInfo, waitFor } from './fixtures';

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
    columns: OBSERVATION_COLUMNS.map(name => ({ name, type: 'str' })),
    python:
      'from astroquery.mast import Observations\nObservations.query_criteria(target_name="DEMO-FIELD")'
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

const attached: Widget[] = [];

/** Attach a widget to the document; `detachAll` disposes it. */
export function attach<T extends Widget>(widget: T): T {
  Widget.attach(widget, document.body);
  attached.push(widget);
  return widget;
}

/** Dispose every attached widget. */
export function detachAll(): void {
  attached.splice(0).forEach(widget => widget.dispose());
}

/** The first element matching `selector` in `widget`, or a thrown error. */
export function query<T extends Element = HTMLElement>(
  widget: Widget,
  selector: string
): T {
  const element = widget.node.querySelector<T>(selector);
  if (!element) {
    throw new Error(`no ${selector} in the panel`);
  }
  return element;
}

/** Every element matching `selector` in `widget`. */
export function queryAll<T extends Element = HTMLElement>(
  widget: Widget,
  selector: string
): T[] {
  return Array.from(widget.node.querySelectorAll<T>(selector));
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
