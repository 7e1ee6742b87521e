import { ISignal, Signal } from '@lumino/signaling';

import type { MastRow, MastSource } from '../api/models';
import { Model } from '../models/model';
import { isExclusive } from './searchModel';
import { productKey, productSize } from './productsModel';

/** MAST's download endpoint, used when the products answer did not give one. */
export const MAST_DOWNLOAD_URL =
  'https://mast.stsci.edu/api/v0.1/Download/file?uri=';

/** One product in the basket: what a download, a curl script or astroquery needs of it. */
export interface IBasketItem {
  /** The product's MAST dataURI (`mast:JWST/product/<file>`): its key. */
  uri: string;
  filename: string;
  /** Bytes, or null when unknown. */
  size: number | null;
  /** The observation it was added from (MAST obsid, or the local obs_id). */
  obsid: string;
  /** The product's own obs_id: the folder the download job lays it out in. */
  obs_id: string;
  /** MAST collection (`JWST`): the folder above `obs_id`. */
  collection: string;
  /** The archive that listed it (a download asks the same one). */
  source: MastSource;
  /** Whether downloading it from MAST needs a token. */
  exclusive: boolean;
  /** MAST's URL that serves it once its dataURI is appended. */
  downloadUrl: string;
}

/** Where an observation's products came from, for {@link MastBasketModel.add}. */
export interface IBasketContext {
  obsid: string;
  source: MastSource;
  downloadUrl?: string | null;
}

/** Whether `value` is a basket item as the state database stores it. */
export function isBasketItem(value: unknown): value is IBasketItem {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const item = value as Partial<IBasketItem>;
  return (
    typeof item.uri === 'string' &&
    item.uri !== '' &&
    typeof item.filename === 'string' &&
    (item.size === null || typeof item.size === 'number') &&
    typeof item.obsid === 'string' &&
    typeof item.obs_id === 'string' &&
    typeof item.collection === 'string' &&
    (item.source === 'mast' || item.source === 'local') &&
    typeof item.exclusive === 'boolean' &&
    typeof item.downloadUrl === 'string'
  );
}

/** A product row of an observation as a basket item. */
export function basketItem(row: MastRow, context: IBasketContext): IBasketItem {
  const uri = productKey(row);
  const size = productSize(row);
  return {
    uri,
    filename: String(row.productFilename ?? uri.split('/').pop() ?? uri),
    size: size > 0 ? size : null,
    obsid: context.obsid,
    obs_id: String(row.obs_id ?? context.obsid),
    collection: String(row.obs_collection ?? 'JWST'),
    source: context.source,
    exclusive: isExclusive(row),
    downloadUrl: context.downloadUrl || MAST_DOWNLOAD_URL
  };
}

/** The folder a download job writes an item into, under `dest`: `<dest>/<collection>/<obs_id>`. */
export function itemFolder(item: IBasketItem, dest: string): string {
  const base = dest.replace(/\/+$/, '') || '.';
  return `${base}/${safePart(item.collection)}/${safePart(item.obs_id)}`;
}

/** A path part as the download job accepts it: no separators, no `..`. */
function safePart(text: string): string {
  const cleaned = text.replace(/[/\\]/g, '_');
  return cleaned === '.' || cleaned === '..' || cleaned === '' ? '_' : cleaned;
}

/** Text quoted for a POSIX shell (single quotes). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** The URL that serves `item` (its dataURI escaped as MAST's server expects). */
export function itemUrl(item: IBasketItem): string {
  const escaped = encodeURIComponent(item.uri)
    .replace(/%3A/gi, ':')
    .replace(/%2F/gi, '/');
  return `${item.downloadUrl}${escaped}`;
}

/**
 * A POSIX shell script of one `curl` per file, like the MAST Portal's: each
 * file goes where the download job would put it
 * (`<dest>/<collection>/<obs_id>/<file>`). Exclusive-access files send
 * `Authorization: token $MAST_API_TOKEN`: the token itself is never written.
 */
export function curlScript(
  items: readonly IBasketItem[],
  dest: string
): string {
  const lines = [
    '#!/bin/sh',
    `# ${items.length} file(s) from MAST, ${describeSize(items)}, laid out as jwst-lab's download does.`
  ];
  if (items.some(item => item.exclusive)) {
    lines.push(
      '# Exclusive-access files need your MAST token: export MAST_API_TOKEN=... first.'
    );
  }
  if (items.some(item => item.source === 'local')) {
    lines.push(
      "# Listed from the local archive: the URLs are MAST's for the same dataURIs."
    );
  }
  lines.push('set -e');
  for (const item of items) {
    const auth = item.exclusive
      ? ' -H "Authorization: token $MAST_API_TOKEN"'
      : '';
    const target = `${itemFolder(item, dest)}/${safePart(item.filename)}`;
    lines.push(
      `curl --fail --location --create-dirs${auth} -o ${shellQuote(target)} ${shellQuote(itemUrl(item))}`
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * astroquery code that downloads the basket's products to the paths the
 * download job writes (`<dest>/<collection>/<obs_id>/<file>`), one
 * `Observations.download_file` per product, as the job's own "Copy as
 * Python" does.
 */
export function pythonScript(
  items: readonly IBasketItem[],
  dest: string
): string {
  const lines = [
    'import os',
    '',
    'from astroquery.mast import Observations',
    ''
  ];
  if (items.some(item => item.exclusive)) {
    lines.push(
      'Observations.login()  # exclusive-access products: asks for your MAST token'
    );
  }
  const files = items.map(
    item =>
      `\n    ${pyString(item.uri)}: ${pyString(`${itemFolder(item, dest)}/${safePart(item.filename)}`)},`
  );
  lines.push(
    "# jwst-lab's layout: <dest>/<obs_collection>/<obs_id>/<productFilename>",
    `files = {${files.join('')}\n}`,
    'for uri, path in files.items():',
    '    os.makedirs(os.path.dirname(path), exist_ok=True)',
    '    Observations.download_file(uri, local_path=path)'
  );
  return lines.join('\n') + '\n';
}

/** A Python string literal. */
function pyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Total bytes of items, and whether some sizes are unknown. */
export function basketTotals(items: readonly IBasketItem[]): {
  files: number;
  observations: number;
  bytes: number;
  unknownSizes: number;
} {
  let bytes = 0;
  let unknownSizes = 0;
  for (const item of items) {
    if (item.size === null) {
      unknownSizes++;
    } else {
      bytes += item.size;
    }
  }
  return {
    files: items.length,
    observations: new Set(items.map(item => item.obsid)).size,
    bytes,
    unknownSizes
  };
}

function describeSize(items: readonly IBasketItem[]): string {
  const { bytes, unknownSizes } = basketTotals(items);
  const mb = (bytes / 1e6).toFixed(1);
  return unknownSizes > 0
    ? `${mb} MB known (${unknownSizes} size(s) unknown)`
    : `${mb} MB`;
}

/**
 * The basket: products picked across observations, kept by dataURI in the
 * order they were added. Emits `saved` with its items after each change (the
 * plugin keeps them across reloads).
 */
export class MastBasketModel extends Model {
  /** The products in the basket, in the order they were added. */
  get items(): readonly IBasketItem[] {
    return this._items;
  }

  /** Emitted with the items after each change. */
  get saved(): ISignal<this, readonly IBasketItem[]> {
    return this._saved;
  }

  /** Whether the product `uri` is in the basket. */
  has(uri: string): boolean {
    return this._items.some(item => item.uri === uri);
  }

  /** Add products of one observation (those already in are kept once). */
  add(rows: readonly MastRow[], context: IBasketContext): number {
    const known = new Set(this._items.map(item => item.uri));
    const added = rows
      .map(row => basketItem(row, context))
      .filter(
        item => item.uri !== '' && !known.has(item.uri) && known.add(item.uri)
      );
    if (added.length > 0) {
      this._set([...this._items, ...added]);
    }
    return added.length;
  }

  /** Take one product out. */
  remove(uri: string): void {
    this._set(this._items.filter(item => item.uri !== uri));
  }

  /** Empty the basket. */
  clear(): void {
    this._set([]);
  }

  /** Put back items saved before a reload (invalid entries are dropped). */
  restore(items: readonly unknown[]): void {
    const seen = new Set<string>();
    this._items = items.filter(
      (item): item is IBasketItem =>
        isBasketItem(item) && !seen.has(item.uri) && !!seen.add(item.uri)
    );
    this.emitChanged();
  }

  /** Files, observations and bytes in the basket. */
  get totals(): ReturnType<typeof basketTotals> {
    return basketTotals(this._items);
  }

  /** The archive every item came from, or null when they are mixed (or none). */
  get source(): MastSource | null {
    const sources = new Set(this._items.map(item => item.source));
    return sources.size === 1 ? [...sources][0] : null;
  }

  private _set(items: IBasketItem[]): void {
    this._items = items;
    this.emitChanged();
    this._saved.emit(items);
  }

  private _items: IBasketItem[] = [];
  private _saved = new Signal<this, readonly IBasketItem[]>(this);
}
