import * as React from 'react';

import type { ICatalogTable, IImageInfo } from '../api/models';
import { CatalogTableModel, PAGE_SIZE } from '../models/catalogTableModel';
import { ImageViewModel, markersOf } from '../models/imageViewModel';
import {
  compareCells,
  nextSort,
  sortedOrder
} from '../widgets/quicklook/catalogSort';
import { CatalogTable } from '../widgets/quicklook/catalogTable';
import { ImageViewer } from '../widgets/quicklook/imageViewer';
import {
  centreOn,
  fitView,
  imageToScreen,
  panBy,
  regionFactor,
  regionRect,
  screenToImage,
  sexagesimal,
  visibleRegion,
  zoomAt
} from '../widgets/quicklook/viewTransform';
import {
  FakeClient,
  makeClient,
  own,
  queryAll,
  query as $,
  render,
  trans,
  waitFor
} from './fixtures';

const VIEWPORT = { width: 800, height: 600 };
const IMAGE = { width: 550, height: 554 };

describe('the quick look view maths', () => {
  it('fits the whole image in the viewport, centred', () => {
    const view = fitView(IMAGE, VIEWPORT);
    expect(view.scale).toBeCloseTo(600 / 554);
    expect([view.cx, view.cy]).toEqual([274.5, 276.5]);
    // The image's edges (pixel edges at -0.5 and height - 0.5) touch the viewport's top and bottom.
    expect(imageToScreen(view, VIEWPORT, { x: 0, y: -0.5 }).y).toBeCloseTo(600);
    expect(imageToScreen(view, VIEWPORT, { x: 0, y: 553.5 }).y).toBeCloseTo(0);
  });

  it('maps screen and image points both ways, y up in the image', () => {
    const view = { cx: 100, cy: 50, scale: 2 };
    const p = screenToImage(view, VIEWPORT, { x: 410, y: 290 });
    expect(p).toEqual({ x: 105, y: 55 });
    expect(imageToScreen(view, VIEWPORT, p)).toEqual({ x: 410, y: 290 });
  });

  it('zooms around the pointer, keeping the point under it', () => {
    const view = { cx: 100, cy: 50, scale: 1 };
    const anchor = { x: 700, y: 100 };
    const before = screenToImage(view, VIEWPORT, anchor);
    const zoomed = zoomAt(view, VIEWPORT, 4, anchor);
    expect(zoomed.scale).toBe(4);
    const after = screenToImage(zoomed, VIEWPORT, anchor);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
    expect(zoomAt(view, VIEWPORT, 1e9).scale).toBe(64); // clamped
  });

  it('pans with the pointer: dragging right shows what is left', () => {
    const view = panBy({ cx: 100, cy: 50, scale: 2 }, 20, -10);
    expect(view).toEqual({ cx: 90, cy: 45, scale: 2 });
    expect(centreOn(view, { x: 7, y: 8 })).toEqual({ cx: 7, cy: 8, scale: 2 });
  });

  it('asks for the visible pixels, clipped to the image', () => {
    // 1:1 centred on (100, 100): x from -300 to 500, y from -200 to 400 (pixel edges).
    const region = visibleRegion(
      { cx: 100, cy: 100, scale: 1 },
      VIEWPORT,
      IMAGE
    );
    expect(region).toEqual([0, 0, 501, 401]); // pixel 500 (and row 400) half shown
    expect(
      visibleRegion({ cx: 5000, cy: 100, scale: 1 }, VIEWPORT, IMAGE)
    ).toBeNull();
    expect(regionFactor([0, 0, 500, 400], 800)).toBe(1);
    expect(regionFactor([0, 0, 5000, 400], 800)).toBe(7);
  });

  it('places a region PNG exactly over its pixels', () => {
    const view = { cx: 10, cy: 10, scale: 2 };
    const rect = regionRect(view, VIEWPORT, [4, 6, 14, 16], 2, {
      width: 5,
      height: 5
    });
    // Left edge of pixel 4 (x = 3.5), top edge of the last row (y = 6 + 10 - 0.5).
    expect(rect.left).toBeCloseTo(400 + (3.5 - 10) * 2);
    expect(rect.top).toBeCloseTo(300 - (15.5 - 10) * 2);
    expect([rect.width, rect.height]).toEqual([20, 20]);
  });

  it('writes RA in hours and Dec in degrees, carrying rounded seconds', () => {
    expect(sexagesimal(269.71744676556915, true)).toBe('17:58:52.19');
    expect(sexagesimal(66.03866870664044, false)).toBe('+66:02:19.2');
    expect(sexagesimal(-0.5, false)).toBe('-00:30:00.0');
    expect(sexagesimal(359.99999999, true)).toBe('00:00:00.00');
    expect(sexagesimal(10.99999999, false)).toBe('+11:00:00.0');
  });
});

describe('catalog sorting', () => {
  const rows = [
    [1, 3.5, 'b', true],
    [2, null, 'a10', false],
    [3, -1, 'a9', null],
    [4, 3.5, 'c', false]
  ];

  it('sorts numbers, text with numbers, booleans; stable; empty cells last', () => {
    expect(sortedOrder(rows, { column: 1, direction: 'ascending' })).toEqual([
      2, 0, 3, 1
    ]);
    expect(sortedOrder(rows, { column: 1, direction: 'descending' })).toEqual([
      0, 3, 2, 1
    ]);
    expect(sortedOrder(rows, { column: 2, direction: 'ascending' })).toEqual([
      2, 1, 0, 3
    ]);
    expect(sortedOrder(rows, { column: 3, direction: 'ascending' })).toEqual([
      1, 3, 0, 2
    ]);
    expect(sortedOrder(rows, null)).toEqual([0, 1, 2, 3]);
    expect(compareCells(10, 9)).toBeGreaterThan(0);
  });

  it('cycles ascending, descending, file order', () => {
    const first = nextSort(null, 2);
    expect(first).toEqual({ column: 2, direction: 'ascending' });
    const second = nextSort(first, 2);
    expect(second).toEqual({ column: 2, direction: 'descending' });
    expect(nextSort(second, 2)).toBeNull();
    expect(nextSort(second, 0)).toEqual({ column: 0, direction: 'ascending' });
  });
});

const CATALOG: ICatalogTable = {
  path: 'cal/x_cat.ecsv',
  columns: [
    { name: 'label', unit: null, description: 'Label', dtype: 'int32' },
    {
      name: 'xcentroid',
      unit: null,
      description: 'X (0 indexed)',
      dtype: 'float64'
    },
    {
      name: 'ycentroid',
      unit: null,
      description: 'Y (0 indexed)',
      dtype: 'float64'
    },
    { name: 'aper_total_flux', unit: 'Jy', description: null, dtype: 'float64' }
  ],
  rows: [
    [1, 100, 200, 3e-6],
    [2, 300, 50, 1e-6],
    [3, 20, 500, null]
  ],
  total: 3,
  offset: 0,
  image: 'cal/x_i2d.fits',
  x_column: 'xcentroid',
  y_column: 'ycentroid',
  ra_column: null,
  dec_column: null
};

const INFO: IImageInfo = {
  path: 'cal/x_i2d.fits',
  width: 550,
  height: 554,
  unit: 'MJy/sr',
  has_dq: false,
  wcs: 'gwcs',
  catalog: 'cal/x_cat.ecsv'
};

function imageClient(): FakeClient {
  const client = makeClient();
  client.jobsApi.getImageInfo = async () => INFO;
  client.jobsApi.getCatalog = async () => CATALOG;
  client.jobsApi.getPreview = async () =>
    new Blob(['png'], { type: 'image/png' });
  return client;
}

describe('the catalog and the image, linked', () => {
  beforeAll(() => {
    const url = URL as unknown as {
      createObjectURL: (blob: Blob) => string;
      revokeObjectURL: (url: string) => void;
    };
    let made = 0;
    url.createObjectURL = () => `blob:${++made}`;
    url.revokeObjectURL = () => undefined;
  });

  it('draws the sources at their 0-based pixel positions', () => {
    expect(markersOf(CATALOG)).toEqual([
      { index: 0, x: 100, y: 200 },
      { index: 1, x: 300, y: 50 },
      { index: 2, x: 20, y: 500 }
    ]);
    expect(markersOf({ ...CATALOG, x_column: null })).toEqual([]);
  });

  it('sorts by a header click, and a row click centres the image on the source', async () => {
    const client = imageClient();
    const image = own(new ImageViewModel({ client, path: INFO.path }));
    await waitFor(() => expect(image.info.status).toBe('ready'));
    image.setViewport(VIEWPORT);
    expect(image.view).toEqual(fitView(INFO, VIEWPORT));
    image.setShowCatalog(true);
    await waitFor(() => expect(image.markers).toHaveLength(3));

    const table = own(new CatalogTableModel({ client, path: CATALOG.path }));
    table.link(image);
    const host = render(<CatalogTable model={table} trans={trans} />);
    await waitFor(() => expect(queryAll(host, 'tbody tr')).toHaveLength(3));
    expect($(host, 'th[title="X (0 indexed)"]').textContent).toContain(
      'xcentroid'
    );
    expect(host.querySelector('th .jp-JwstLab-columnUnit')?.textContent).toBe(
      ' [Jy]'
    );

    $<HTMLButtonElement>(host, '[data-column="xcentroid"]').click();
    await waitFor(() =>
      expect(
        queryAll(host, 'tbody tr').map(row => row.getAttribute('data-index'))
      ).toEqual(['2', '0', '1'])
    );
    expect($(host, 'th[aria-sort="ascending"]').getAttribute('aria-sort')).toBe(
      'ascending'
    );
    $<HTMLButtonElement>(host, '[data-column="xcentroid"]').click();
    await waitFor(() =>
      expect(
        queryAll(host, 'tbody tr').map(row => row.getAttribute('data-index'))
      ).toEqual(['1', '0', '2'])
    );

    $<HTMLTableRowElement>(host, 'tbody tr[data-index="1"]').click();
    expect(image.selectedSource).toBe(1);
    expect(image.view).toMatchObject({ cx: 300, cy: 50 });
    await waitFor(() =>
      expect($(host, 'tr.jp-mod-selected').getAttribute('data-index')).toBe('1')
    );

    // A source picked on the image selects its row.
    image.selectSource(2);
    await waitFor(() =>
      expect($(host, 'tr.jp-mod-selected').getAttribute('data-index')).toBe('2')
    );
    expect(table.selected).toBe(2);
  });

  it('pages long catalogs and says how many sources there are', async () => {
    const client = imageClient();
    const rows = Array.from({ length: PAGE_SIZE * 2 + 5 }, (_, i) => [
      i + 1,
      i,
      i,
      null
    ]);
    client.jobsApi.getCatalog = async () => ({
      ...CATALOG,
      rows,
      total: rows.length
    });
    const table = own(new CatalogTableModel({ client, path: CATALOG.path }));
    const host = render(<CatalogTable model={table} trans={trans} />);
    await waitFor(() =>
      expect(queryAll(host, 'tbody tr')).toHaveLength(PAGE_SIZE)
    );
    expect($(host, '.jp-JwstLab-catalogCount').textContent).toBe(
      `${rows.length} sources`
    );
    table.setPage(2);
    await waitFor(() => expect(queryAll(host, 'tbody tr')).toHaveLength(5));
    // Selecting a row on another page shows its page.
    table.select(3);
    await waitFor(() =>
      expect($(host, 'tr.jp-mod-selected').getAttribute('data-index')).toBe('3')
    );
    expect(table.page).toBe(0);
  });

  it('says why a catalog cannot be read', async () => {
    const client = imageClient();
    client.jobsApi.getCatalog = async () => {
      throw new Error('x.ecsv is not an ECSV table');
    };
    const table = own(new CatalogTableModel({ client, path: 'x.ecsv' }));
    const host = render(<CatalogTable model={table} trans={trans} />);
    await waitFor(() =>
      expect($(host, '[role="alert"]').textContent).toContain(
        'not an ECSV table'
      )
    );
  });
});

describe('a large image', () => {
  it('asks for the visible region at screen resolution once zoomed past the overview', async () => {
    const client = imageClient();
    client.jobsApi.getImageInfo = async () => ({
      ...INFO,
      width: 10000,
      height: 8000,
      catalog: null
    });
    const asked: unknown[] = [];
    client.jobsApi.getPreview = async (_path, options) => {
      asked.push(options);
      return new Blob(['png'], { type: 'image/png' });
    };
    const image = own(new ImageViewModel({ client, path: 'big_i2d.fits' }));
    image.setViewport(VIEWPORT);
    await waitFor(() => expect(image.view).not.toBeNull());
    // The overview holds one pixel per 10 (10000 / 1024 rounded up); fitted, that is enough.
    expect(image.overviewFactor).toBe(10);
    expect(asked).toEqual([{ stretch: 'asinh', max_size: 1024 }]);
    image.selectSource(null);
    image.actualSize();
    await waitFor(() => expect(image.detail).not.toBeNull());
    // 1:1 around the centre (4999.5, 3999.5): exactly 800 x 600 pixels, at full resolution.
    expect(asked[1]).toEqual({
      stretch: 'asinh',
      max_size: 800,
      region: '4600,3700,5400,4300'
    });
    expect(image.detail).toMatchObject({
      region: [4600, 3700, 5400, 4300],
      factor: 1,
      png: { width: 800, height: 600 }
    });
  });
});

describe('the image viewer', () => {
  it('zooms from the keyboard and reads the pixel under the pointer with RA/Dec', async () => {
    const client = imageClient();
    const asked: unknown[][] = [];
    client.jobsApi.getImagePixel = async (path, x, y) => {
      asked.push([path, x, y]);
      return {
        x,
        y,
        column: Math.round(x),
        row: Math.round(y),
        value: 2.5,
        unit: 'MJy/sr',
        dq: null,
        ra: 269.71744676556915,
        dec: 66.03866870664044,
        wcs: 'gwcs'
      };
    };
    const image = own(new ImageViewModel({ client, path: INFO.path }));
    const host = render(<ImageViewer model={image} trans={trans} />);
    await waitFor(() => expect(image.info.status).toBe('ready'));
    image.setViewport(VIEWPORT);
    await waitFor(() =>
      expect(
        $(host, '.jp-JwstLab-quickLookStage').getAttribute('data-scale')
      ).toBe(fitView(INFO, VIEWPORT).scale.toFixed(6))
    );
    const stage = $(host, '.jp-JwstLab-quickLookStage');
    await waitFor(() => $(host, '.jp-JwstLab-quickLookImage'));
    stage.dispatchEvent(
      new KeyboardEvent('keydown', { key: '+', bubbles: true })
    );
    await waitFor(() =>
      expect(Number(stage.getAttribute('data-scale'))).toBeCloseTo(
        fitView(INFO, VIEWPORT).scale * 1.25,
        5
      )
    );
    image.hover({ x: 99.6, y: 100.2 });
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-readoutSky').textContent).toBe(
        'RA 17:58:52.19 Dec +66:02:19.2 (269.717447°, +66.038669°)'
      )
    );
    expect(asked).toEqual([[INFO.path, 99.6, 100.2]]);
    expect($(host, '.jp-JwstLab-readoutPixel').textContent).toBe(
      'x 101, y 101 (FITS, 1-based)'
    );
    expect($(host, '.jp-JwstLab-readoutValue').textContent).toBe(
      '2.50000 MJy/sr'
    );
    // Off the image: no request, the readout clears.
    image.hover({ x: -5, y: 3 });
    await waitFor(() =>
      expect(host.querySelector('.jp-JwstLab-readoutSky')).toBeNull()
    );
    expect(asked).toHaveLength(1);
  });
});
