import type { IMastPeek } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import { LoaderModel } from './loadable';

/** One header card as the server sends it: `[keyword, value, comment]`. */
export type PeekCard = IMastPeek['headers'][number]['cards'][number];

/** One HDU's header as the server sends it. */
export type PeekHeader = IMastPeek['headers'][number];

/**
 * A peek at one MAST product in the cloud bucket (`GET /mast/peek`): its
 * headers (primary and science extension) and a quick look, read with range
 * requests. Holds which header is shown and the text filtering its cards.
 */
export class PeekModel extends LoaderModel<IMastPeek> {
  /** Create the model and ask for the peek. */
  constructor(options: PeekModel.IOptions) {
    super();
    this._client = options.client;
    this.uri = options.uri;
    void this.reload();
  }

  /** The product's dataURI (`mast:JWST/product/<file>`). */
  readonly uri: string;

  /** The product's file name. */
  get filename(): string {
    return this.uri.slice(this.uri.lastIndexOf('/') + 1);
  }

  /** The index (in the answer's `headers`) of the header shown. */
  get headerIndex(): number {
    const count = this.state.value?.headers.length ?? 0;
    return Math.min(this._headerIndex, Math.max(0, count - 1));
  }

  /** The header shown, or null before an answer. */
  get header(): PeekHeader | null {
    return this.state.value?.headers[this.headerIndex] ?? null;
  }

  /** Show the header at `index` of the answer's `headers`. */
  selectHeader(index: number): void {
    if (index !== this._headerIndex) {
      this._headerIndex = index;
      this.emitChanged();
    }
  }

  /** The text filtering the cards (keyword, value or comment; any case). */
  get filter(): string {
    return this._filter;
  }

  /** Filter the cards shown. */
  setFilter(text: string): void {
    if (text !== this._filter) {
      this._filter = text;
      this.emitChanged();
    }
  }

  /** The cards of the header shown that match the filter. */
  get cards(): PeekCard[] {
    return filterCards(this.header?.cards ?? [], this._filter);
  }

  /** Ask the server again (after an error). */
  async reload(): Promise<void> {
    await this._loader.load(() => this._client.peekProduct({ uri: this.uri }));
  }

  private readonly _client: IJwstLabClient;
  private _headerIndex = 0;
  private _filter = '';
}

/** The namespace for `PeekModel` statics. */
export namespace PeekModel {
  /** Options to create a peek. */
  export interface IOptions {
    client: IJwstLabClient;
    /** The product's dataURI. */
    uri: string;
  }
}

/** The cards whose keyword, value or comment contains `filter` (any case; blank: all). */
export function filterCards(cards: PeekCard[], filter: string): PeekCard[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) {
    return cards;
  }
  return cards.filter(card =>
    card.some(part => part.toLowerCase().includes(needle))
  );
}

/** Cards as a FITS header reads (`KEYWORD = value / comment`), one a line, to copy. */
export function headerText(cards: PeekCard[]): string {
  return cards
    .map(([keyword, value, comment]) => {
      if (keyword === 'COMMENT' || keyword === 'HISTORY' || keyword === '') {
        return `${keyword.padEnd(8)} ${value}`.replace(/\s+$/, '');
      }
      const card = `${keyword.padEnd(8)}= ${value}`;
      return comment ? `${card} / ${comment}` : card;
    })
    .join('\n');
}

/** Whether a product can be peeked at: a FITS file (what the server reads). */
export function isPeekable(filename: string): boolean {
  return /\.fits$/i.test(filename);
}
