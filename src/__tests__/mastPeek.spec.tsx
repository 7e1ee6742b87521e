import * as React from 'react';

import { JwstLabApiError } from '../api/client';
import type { IMastPeek } from '../api/models';
import { filterCards, headerText, PeekModel } from '../models/peekModel';
import { loadTrans } from '../translation';
import { MastPeek } from '../widgets/mast/peek';
import {
  changeValue,
  click,
  makeClient,
  own,
  query,
  queryAll,
  render,
  waitFor
} from './fixtures';
import {
  makeObservation,
  makeProduct,
  makeProductsResult,
  makeSearchResult,
  OBSERVATION_ROWS,
  openPanel,
  PRODUCT_ROWS,
  rowsShown,
  search
} from './mastFixtures';

const URI = 'mast:JWST/product/jw01234-o001_t001_miri_f770w_i2d.fits';
// A 1x1 PNG.
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

function makePeek(overrides: Partial<IMastPeek> = {}): IMastPeek {
  return {
    uri: URI,
    cloud_uri:
      's3://stpubdata/jwst/public/jw01234/jw01234-o001_t001_miri_f770w_i2d.fits',
    size: 104_857_600,
    bytes_read: 48_128,
    requests: 9,
    headers: [
      {
        index: 0,
        name: 'PRIMARY',
        cards: [
          ['SIMPLE', 'True', 'conforms to FITS standard'],
          ['TELESCOP', 'JWST', 'Telescope used to acquire the data'],
          ['INSTRUME', 'MIRI', 'Instrument used to acquire the data'],
          ['HISTORY', 'made by a test', '']
        ]
      },
      {
        index: 1,
        name: 'SCI',
        cards: [
          ['XTENSION', 'IMAGE', 'Image extension'],
          ['NAXIS', '2', ''],
          ['NAXIS1', '5000', ''],
          ['NAXIS2', '4000', ''],
          ['BUNIT', 'MJy/sr', 'physical units of the array values']
        ]
      }
    ],
    science: 'SCI',
    shape: [4000, 5000],
    image_png: PNG,
    ...overrides
  };
}

const trans = loadTrans(null);

function renderPeek(answer: () => Promise<IMastPeek>) {
  const client = makeClient();
  client.peekAnswer = answer;
  const model = own(new PeekModel({ client, uri: URI }));
  const copied: string[] = [];
  const node = render(
    <MastPeek model={model} trans={trans} copy={text => copied.push(text)} />
  );
  return { client, model, node, copied };
}

describe('filterCards and headerText', () => {
  const cards = makePeek().headers[1].cards;

  it('keeps the cards whose keyword, value or comment holds the text, in any case', () => {
    expect(filterCards(cards, 'naxis').map(card => card[0])).toEqual([
      'NAXIS',
      'NAXIS1',
      'NAXIS2'
    ]);
    expect(filterCards(cards, 'PHYSICAL').map(card => card[0])).toEqual([
      'BUNIT'
    ]);
    expect(filterCards(cards, '  ')).toBe(cards);
    expect(filterCards(cards, 'nothing such')).toEqual([]);
  });

  it('writes the cards as FITS header lines', () => {
    expect(headerText(makePeek().headers[0].cards)).toBe(
      [
        'SIMPLE  = True / conforms to FITS standard',
        'TELESCOP= JWST / Telescope used to acquire the data',
        'INSTRUME= MIRI / Instrument used to acquire the data',
        'HISTORY  made by a test'
      ].join('\n')
    );
  });
});

describe('MastPeek', () => {
  it('shows what it read, the cards of each header, filtered, and the quick look', async () => {
    const { client, node, copied } = renderPeek(async () => makePeek());
    await waitFor(() => query(node, '.jp-JwstLab-peekRead'));
    expect(client.mastCalls).toEqual([['peekProduct', { uri: URI }]]);
    expect(query(node, '.jp-JwstLab-peekRead').textContent).toBe(
      'Read 48.1 kB of 105 MB in 9 range requests (< 0.1 %) — nothing was downloaded.'
    );
    expect(query(node, '.jp-JwstLab-peekSource').textContent).toContain(
      's3://stpubdata/'
    );
    const keywords = () =>
      queryAll(node, '.jp-JwstLab-peekCards tbody tr').map(
        row => row.dataset.keyword
      );
    expect(keywords()).toEqual(['SIMPLE', 'TELESCOP', 'INSTRUME', 'HISTORY']);
    const hdus = queryAll(node, 'button.jp-JwstLab-peekHdu');
    expect(hdus.map(button => button.textContent)).toEqual([
      '0: PRIMARY',
      '1: SCI'
    ]);
    expect(hdus[0].getAttribute('aria-pressed')).toBe('true');

    hdus[1].click();
    await waitFor(() =>
      expect(keywords()).toEqual([
        'XTENSION',
        'NAXIS',
        'NAXIS1',
        'NAXIS2',
        'BUNIT'
      ])
    );
    expect(hdus[1].getAttribute('aria-pressed')).toBe('true');

    changeValue(
      query<HTMLInputElement>(node, '.jp-JwstLab-peekFilter'),
      'naxis'
    );
    await waitFor(() =>
      expect(keywords()).toEqual(['NAXIS', 'NAXIS1', 'NAXIS2'])
    );
    expect(query(node, '.jp-JwstLab-peekCount').textContent).toBe(
      '3 of 5 cards'
    );
    click(node, 'button.jp-JwstLab-peekCopy');
    expect(copied).toEqual(['NAXIS   = 2\nNAXIS1  = 5000\nNAXIS2  = 4000']);

    const image = query<HTMLImageElement>(node, 'img.jp-JwstLab-peekImage');
    expect(image.getAttribute('src')).toBe(`data:image/png;base64,${PNG}`);
    expect(image.alt).toContain('SCI');
    expect(
      query(node, '.jp-JwstLab-peekLook figcaption').textContent
    ).toContain('5000 × 4000');
  });

  it('says a product not in the bucket cannot be peeked at and is to be downloaded, and retries', async () => {
    let calls = 0;
    const { node } = renderPeek(async () => {
      calls += 1;
      if (calls === 1) {
        throw new JwstLabApiError(
          "mast:JWST/product/x.fits is not in MAST's cloud bucket (s3://stpubdata): download the product instead",
          { status: 404, reason: 'not_in_bucket' }
        );
      }
      return makePeek();
    });
    await waitFor(() => query(node, '[role="alert"]'));
    const alert = query(node, '[role="alert"]').textContent ?? '';
    expect(alert).toContain("not in MAST's cloud bucket");
    expect(alert).toContain('download it');
    expect(node.querySelector('.jp-JwstLab-peekCards')).toBeNull();
    click(node, 'button.jp-JwstLab-retry');
    await waitFor(() => query(node, '.jp-JwstLab-peekCards'));
    expect(node.querySelector('[role="alert"]')).toBeNull();
  });

  it('says when the bucket could not be read', async () => {
    const { node } = renderPeek(async () => {
      throw new JwstLabApiError(
        "MAST's cloud bucket is unavailable (s3://stpubdata answered SlowDown (HTTP 503))",
        { status: 503, reason: 'cloud_unavailable' }
      );
    });
    await waitFor(() => query(node, '[role="alert"]'));
    expect(query(node, '[role="alert"]').textContent).toContain(
      "MAST's cloud bucket could not be read: MAST's cloud bucket is unavailable"
    );
  });
});

describe('Peek from the products of an observation', () => {
  async function openProducts(cloud: '' | 'aws') {
    const client = makeClient({
      features: ['info', 'events', 'mast', 'downloads', 'jobs'],
      cloud
    });
    client.searchAnswer = async () => makeSearchResult([makeObservation(1)]);
    client.productsAnswer = async () =>
      makeProductsResult([
        makeProduct('jw01234-o001_t001_miri_f770w_i2d.fits', { level: 3 }),
        makeProduct('jw01234001001_02101_00001_mirimage_cal.fits'),
        makeProduct('jw01234-o001_t001_miri_f770w_i2d.jpg', {
          type: 'PREVIEW'
        })
      ]);
    const panel = await openPanel({ client });
    const peeked: string[] = [];
    panel.peekRequested.connect((_, uri) => peeked.push(uri));
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await rowsShown(panel, 1);
    click(panel, OBSERVATION_ROWS);
    await rowsShown(panel, 3, PRODUCT_ROWS);
    return { panel, peeked };
  }

  it('offers Peek on FITS rows, and on the one ticked FITS file from the toolbar', async () => {
    const { panel, peeked } = await openProducts('aws');
    const rows = queryAll(panel, PRODUCT_ROWS);
    expect(
      rows.map(
        row => row.querySelector('button.jp-JwstLab-peekButton') !== null
      )
    ).toEqual([true, true, false]);
    expect(panel.node.querySelector('.jp-JwstLab-capabilityNote')).toBeNull();

    query(rows[1], 'button.jp-JwstLab-peekButton').click();
    expect(peeked).toEqual([
      'mast:JWST/product/jw01234001001_02101_00001_mirimage_cal.fits'
    ]);
    // The row's button peeks without ticking or unticking the row.
    expect(
      query<HTMLInputElement>(rows[1], 'input.jp-JwstLab-productCheck').checked
    ).toBe(false);

    const toolbar = query<HTMLButtonElement>(
      panel,
      'button.jp-JwstLab-peekTicked'
    );
    expect(toolbar.disabled).toBe(true);
    query<HTMLInputElement>(rows[0], 'input.jp-JwstLab-productCheck').click();
    await waitFor(() => expect(toolbar.disabled).toBe(false));
    toolbar.click();
    expect(peeked[1]).toBe(
      'mast:JWST/product/jw01234-o001_t001_miri_f770w_i2d.fits'
    );
    // Two ticked: which one to peek at is not clear.
    query<HTMLInputElement>(rows[1], 'input.jp-JwstLab-productCheck').click();
    await waitFor(() => expect(toolbar.disabled).toBe(true));
  });

  it('says why there is no Peek when the server reads no cloud bucket', async () => {
    const { panel, peeked } = await openProducts('');
    expect(panel.node.querySelector('button.jp-JwstLab-peekButton')).toBeNull();
    const toolbar = query<HTMLButtonElement>(
      panel,
      'button.jp-JwstLab-peekTicked'
    );
    expect(toolbar.disabled).toBe(true);
    expect(query(panel, '.jp-JwstLab-capabilityNote').textContent).toContain(
      "c.JwstLabApp.cloud = 'aws'"
    );
    expect(peeked).toEqual([]);
  });
});
