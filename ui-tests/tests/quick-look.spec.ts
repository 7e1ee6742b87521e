import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { JobsHelper } from '../helpers/JobsHelper';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

/**
 * The quick look that answers questions, on the demo's image3 output: the
 * Level 3 association in `cal/` is reduced by the real calwebb_image3 (through
 * the REST API), then its i2d is opened, zoomed and panned, the readout shows
 * RA/Dec computed on the server, the `_cat.ecsv` sources are drawn over it, and
 * the catalog opens as a sortable table whose row click centres the image on
 * the source. Fails on any console error or page error.
 */

test.use({ viewport: { width: 1600, height: 1000 } });

const ASSOCIATION = 'cal/jw09999-o001_20250401t130000_image3_00001_asn.json';
const FOLDER = 'test-results/screenshots';

const problems: string[] = [];
const created = cleanUpAfterEach({ problems: () => problems });

/** The view transform the stage shows: centre (0-based image pixels) and scale. */
async function viewOf(
  stage: Locator
): Promise<{ cx: number; cy: number; scale: number }> {
  const [cx, cy, scale] = await Promise.all(
    ['data-cx', 'data-cy', 'data-scale'].map(
      async name => Number(await stage.getAttribute(name)) || NaN
    )
  );
  return { cx, cy, scale };
}

test('quick look of the image3 i2d: zoom, pan, RA/Dec readout, sources, catalog table', async ({
  page
}) => {
  test.setTimeout(480000);
  problems.length = 0;
  watchForErrors(page, problems);

  // The demo's image3 output, made by the real pipeline.
  const response = await page.request.post('/jwst-lab/jobs', {
    data: { pipeline: 'calwebb_image3', input: ASSOCIATION }
  });
  expect(response.status()).toBe(201);
  const job = await response.json();
  created.jobs.push(job.id);
  let outputs: string[] = [];
  await expect
    .poll(
      async () => {
        const record = await (
          await page.request.get(`/jwst-lab/jobs/${job.id}`)
        ).json();
        outputs = record.outputs ?? [];
        return record.status;
      },
      { timeout: 420000, intervals: [2000] }
    )
    .toBe('succeeded');
  const i2d = outputs.find(path => path.endsWith('_i2d.fits'))!;
  const cat = outputs.find(path => path.endsWith('_cat.ecsv'))!;
  expect(i2d).toBeTruthy();
  expect(cat).toBeTruthy();
  const catalog = await (
    await page.request.get(`/jwst-lab/catalogs?path=${encodeURIComponent(cat)}`)
  ).json();
  expect(catalog.total).toBeGreaterThan(0);
  const xi = catalog.columns.findIndex(
    (c: { name: string }) => c.name === 'xcentroid'
  );
  const yi = catalog.columns.findIndex(
    (c: { name: string }) => c.name === 'ycentroid'
  );
  const positioned = catalog.rows.filter(
    (row: unknown[]) =>
      typeof row[xi] === 'number' && typeof row[yi] === 'number'
  ).length;

  // Open the i2d's quick look.
  await new JwstLabHelper(page).execute('jwst-lab:quick-look', { path: i2d });
  const view = page.locator('.jp-JwstLab-quickLookContent').last();
  const stage = view.locator('.jp-JwstLab-quickLookStage');
  await expect(view.locator('.jp-JwstLab-quickLookImage')).toBeVisible({
    timeout: 60000
  });
  await expect(stage).toHaveAttribute('data-scale', /\d/);
  const fitted = await viewOf(stage);

  // Zoom: the + button, the keyboard, the wheel; Fit goes back.
  await view.getByRole('button', { name: 'Zoom in' }).click();
  await expect
    .poll(async () => (await viewOf(stage)).scale)
    .toBeCloseTo(fitted.scale * 1.25, 4);
  await stage.focus();
  await page.keyboard.press('+');
  await expect
    .poll(async () => (await viewOf(stage)).scale)
    .toBeCloseTo(fitted.scale * 1.25 * 1.25, 4);
  const box = (await stage.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -100);
  await expect
    .poll(async () => (await viewOf(stage)).scale)
    .toBeGreaterThan(fitted.scale * 1.9);

  // Pan: a drag to the right shows what is left of the centre (smaller x).
  const before = await viewOf(stage);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(
    box.x + box.width / 2 + 120,
    box.y + box.height / 2 + 40,
    {
      steps: 8
    }
  );
  await page.mouse.up();
  const panned = await viewOf(stage);
  expect(panned.cx).toBeLessThan(before.cx - 10);
  expect(panned.cy).toBeGreaterThan(before.cy + 2);
  await page.keyboard.press('ArrowRight');
  await expect
    .poll(async () => (await viewOf(stage)).cx)
    .toBeGreaterThan(panned.cx);

  // The readout: pixel, value and RA/Dec from the file's gwcs, computed on the server.
  await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2 + 5);
  const readout = view.locator('.jp-JwstLab-quickLookReadout');
  await expect(readout.locator('.jp-JwstLab-readoutSky')).toContainText(
    /RA \d\d:\d\d:\d\d\.\d\d Dec [+-]\d\d:\d\d:\d\d\.\d/,
    { timeout: 30000 }
  );
  await expect(readout.locator('.jp-JwstLab-readoutSky')).toHaveAttribute(
    'data-wcs',
    'gwcs'
  );
  await expect(readout).toContainText('(FITS, 1-based)');
  await expect(readout).toContainText('MJy/sr');

  // Fit, then the sources of the catalog over the image.
  await page.keyboard.press('0');
  await expect
    .poll(async () => (await viewOf(stage)).scale)
    .toBeCloseTo(fitted.scale, 4);
  await view.getByLabel('Sources').check();
  await expect(view.locator('.jp-JwstLab-sourceMarker')).toHaveCount(
    positioned,
    { timeout: 30000 }
  );
  await expect(view.locator('.jp-JwstLab-quickLookCount')).toHaveText(
    `${positioned} sources`
  );
  await view.screenshot({ path: `${FOLDER}/quick-look-sources-light.png` });

  // The catalog as a table beside the image, sorted by xcentroid.
  await view.getByRole('button', { name: 'Table' }).click();
  const table = page.locator('.jp-JwstLab-catalogTable');
  await expect(table.locator('tbody tr').first()).toBeVisible({
    timeout: 30000
  });
  await expect(
    table.locator('th', { hasText: 'sky_centroid.ra' })
  ).toContainText('[deg]');
  await table.locator('[data-column="xcentroid"]').click();
  await expect(
    table.locator('th', { hasText: 'xcentroid' }).first()
  ).toHaveAttribute('aria-sort', 'ascending');
  const order = catalog.rows
    .map((row: unknown[], index: number) => ({ index, x: row[xi] as number }))
    .filter((row: { x: unknown }) => typeof row.x === 'number')
    .sort((a: { x: number }, b: { x: number }) => a.x - b.x);
  await expect(table.locator('tbody tr').first()).toHaveAttribute(
    'data-index',
    String(order[0].index)
  );
  await table.locator('[data-column="xcentroid"]').click();
  await expect(table.locator('tbody tr').first()).toHaveAttribute(
    'data-index',
    String(order[order.length - 1].index)
  );

  // A row click centres the image on that source and highlights it.
  const pick = order[Math.floor(order.length / 2)].index;
  await table.locator(`tbody tr[data-index="${pick}"]`).click();
  await expect(table.locator(`tbody tr[data-index="${pick}"]`)).toHaveAttribute(
    'aria-selected',
    'true'
  );
  await expect
    .poll(async () => (await viewOf(stage)).cx)
    .toBeCloseTo(catalog.rows[pick][xi], 2);
  expect((await viewOf(stage)).cy).toBeCloseTo(catalog.rows[pick][yi], 2);
  await expect(
    view.locator(
      `.jp-JwstLab-sourceMarker.jp-mod-selected[data-index="${pick}"]`
    )
  ).toHaveCount(1);

  // A source clicked on the image selects its row.
  const other = view
    .locator('.jp-JwstLab-sourceMarker:not(.jp-mod-selected)')
    .first();
  const otherIndex = await other.getAttribute('data-index');
  await other.dispatchEvent('click');
  await expect(
    table.locator(`tbody tr[data-index="${otherIndex}"]`)
  ).toHaveAttribute('aria-selected', 'true');
  // From the file browser: the catalog's context menu shows the same table.
  const jobs = new JobsHelper(page);
  await jobs.openFolder(cat.slice(0, cat.lastIndexOf('/')));
  const item = jobs.fileItem(cat.slice(cat.lastIndexOf('/') + 1)).first();
  await expect(item).toHaveAttribute('data-file-type', 'jwst-cat');
  await item.click({ button: 'right' });
  await page
    .locator('.lm-Menu-item', { hasText: 'Open Catalog Table' })
    .click();
  await expect(page.locator('.jp-JwstLab-catalogTable')).toHaveCount(1);
  await expect(
    page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current', {
      hasText: 'Catalog:'
    })
  ).toHaveCount(1);

  // Light and dark, beside a 250 px and a 600 px sidebar.
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    for (const width of [250, 600]) {
      await page.sidebar.setWidth(width, 'left');
      await expect(
        view.locator('.jp-JwstLab-sourceMarker').first()
      ).toBeVisible();
      await page.screenshot({
        path: `${FOLDER}/quick-look-catalog-${theme}-${width}.png`
      });
    }
  }
});
