import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

/**
 * The MAST results document in the main area (issue 14, feature 1 and
 * defects 3, 4, 11) on the demo workspace: its archive holds program 9999's
 * MIRI imaging of DEMO-FIELD, four dithered exposures (their `S_REGION`s
 * read from the calibrated files) and their Level 3 combination.
 */
const TARGET = 'DEMO-FIELD';
const FIRST = 'jw09999001001_02101_00001_mirimage';
const SECOND = 'jw09999001001_02101_00002_mirimage';
const ROW_HEIGHT = 24;

test.use({ viewport: { width: 1600, height: 1000 } });

// All tests share one server and its job database: remove what a test created.
const problems: string[] = [];
const createdJobs = cleanUpAfterEach({ problems: () => problems }).jobs;

test.beforeEach(({ page }) => {
  problems.splice(0);
  // The browser logs every 4xx answer; the unknown target's 404 is the answer expected.
  watchForErrors(
    page,
    problems,
    message =>
      message.text().startsWith('Failed to load resource') &&
      message.location().url.includes('/jwst-lab/mast/observations?') &&
      message.location().url.includes('NO+SUCH+TARGET')
  );
});

/** Search the demo target from the sidebar; the results document opens. */
async function searchDemo(page: IJupyterLabPageFixture): Promise<{
  panel: Locator;
  results: Locator;
}> {
  const lab = new JwstLabHelper(page);
  const results = await lab.searchMast(TARGET);
  return { panel: lab.panel('mast'), results };
}

/** The grid row of an observation. */
function row(results: Locator, obsId: string): Locator {
  return results.locator('.jp-JwstLab-mastTable .jp-JwstLab-vtableRow', {
    hasText: obsId
  });
}

test.describe('MAST results document', () => {
  test('opens in the main area with room for 15 rows, sorted, filtered, footprints selected both ways', async ({
    page
  }) => {
    test.setTimeout(120000);
    const { panel, results } = await searchDemo(page);

    // The sidebar keeps the form and a one-line summary.
    await expect(panel.locator('.jp-JwstLab-mastSummaryCount')).toHaveText(
      '5 results'
    );
    await expect(panel.locator('.jp-JwstLab-mastTable')).toHaveCount(0);

    // The grid is wide and tall: at least 15 rows fit below its two header rows.
    const table = results.locator('.jp-JwstLab-mastTable');
    const room = await table.evaluate(node => {
      const head = node.querySelector('thead') as HTMLElement;
      return {
        rows: (node.clientHeight - head.offsetHeight) / 24,
        width: node.clientWidth
      };
    });
    expect(room.rows).toBeGreaterThanOrEqual(15);
    expect(room.width).toBeGreaterThan(800);
    const rows = table.locator('.jp-JwstLab-vtableRow');
    await expect(rows).toHaveCount(5);
    for (const index of [0, 4]) {
      await expect(rows.nth(index)).toBeInViewport();
    }
    expect(ROW_HEIGHT).toBe(
      Math.round((await rows.first().boundingBox())?.height ?? 0)
    );

    // Sorted by observation id by default: the Level 3 product first, then its members.
    await expect(table.locator('th[data-column="obs_id"]')).toHaveAttribute(
      'aria-sort',
      'ascending'
    );
    const ids = await rows.evaluateAll(nodes =>
      nodes.map(node => node.querySelectorAll('td')[1].textContent ?? '')
    );
    expect(ids).toEqual([...ids].sort());
    expect(ids[0]).toBe('jw09999-o001_t001_miri_f770w');

    // A column filter keeps the rows whose cell matches.
    const filter = table.locator(
      'input.jp-JwstLab-mastColumnFilter[data-column="obs_id"]'
    );
    await filter.fill('00002');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(SECOND);
    await results.locator('button.jp-JwstLab-mastClearFilters').click();
    await expect(rows).toHaveCount(5);

    // The column chooser adds a column.
    await results.locator('.jp-JwstLab-mastColumns summary').click();
    await results
      .locator('.jp-JwstLab-mastColumnList label', { hasText: 'RA (°)' })
      .locator('input')
      .check();
    await expect(table.locator('th[data-column="s_ra"]')).toBeVisible();
    await results.locator('.jp-JwstLab-mastColumns summary').click();

    // Every observation has its footprint, from its S_REGION; axes have ticks.
    const sky = results.locator('svg.jp-JwstLab-footprints');
    const footprints = sky.locator('path.jp-JwstLab-footprint');
    await expect(footprints).toHaveCount(5);
    expect(
      await sky.locator('.jp-JwstLab-footprintTick[data-axis="ra"]').count()
    ).toBeGreaterThanOrEqual(2);
    expect(
      await sky.locator('.jp-JwstLab-footprintTick[data-axis="dec"]').count()
    ).toBeGreaterThanOrEqual(2);

    // Selecting a row highlights its footprint.
    const first = row(results, FIRST);
    const firstKey = await first.getAttribute('data-key');
    await first.click();
    await expect(first).toHaveAttribute('aria-selected', 'true');
    const firstPrint = sky.locator(`path[data-key="${firstKey}"]`);
    await expect(firstPrint).toHaveAttribute('data-selected', 'true');
    await expect(firstPrint).toHaveClass(/jp-mod-selected/);
    await expect(sky.locator('path[data-selected="true"]')).toHaveCount(1);

    // Clicking a footprint selects its row.
    const second = row(results, SECOND);
    const secondKey = await second.getAttribute('data-key');
    await sky.locator(`path[data-key="${secondKey}"]`).dispatchEvent('click');
    await expect(second).toHaveAttribute('aria-selected', 'true');
    await expect(first).toHaveAttribute('aria-selected', 'false');
    await expect(sky.locator(`path[data-key="${secondKey}"]`)).toHaveClass(
      /jp-mod-selected/
    );
    await expect(
      results.locator('.jp-JwstLab-mastProducts .jp-JwstLab-sectionTitle')
    ).toContainText(SECOND);

    // Look at it as an astronomer would, in both themes.
    await results.screenshot({
      path: 'test-results/screenshots/mast-results-light.png'
    });
    await page.theme.setDarkTheme();
    await results.screenshot({
      path: 'test-results/screenshots/mast-results-dark.png'
    });
    await page.theme.setLightTheme();
  });

  test('a basket holding products of two observations downloads both in one job', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(180000);
    const { results } = await searchDemo(page);
    const products = results.locator('.jp-JwstLab-mastProducts');
    const basket = results.locator('.jp-JwstLab-mastBasket');

    for (const obsId of [FIRST, SECOND]) {
      await row(results, obsId).click();
      await expect(products.locator('.jp-JwstLab-sectionTitle')).toContainText(
        obsId
      );
      const cal = products.locator(
        '.jp-JwstLab-productTable .jp-JwstLab-vtableRow',
        { hasText: `${obsId}_cal.fits` }
      );
      await expect(cal).toBeVisible({ timeout: 30000 });
      await cal.locator('input[type="checkbox"]').check();
      await products.locator('button.jp-JwstLab-addToBasket').click();
      await expect(cal).toHaveClass(/jp-mod-inBasket/);
    }
    await expect(basket).toHaveAttribute('data-files', '2');
    await expect(basket.locator('.jp-JwstLab-basketTotals')).toContainText(
      /2 files from 2 observations · [\d.]+ (kB|MB)/
    );

    // "Copy as curl script": one curl per file, the token only as a variable.
    // JupyterLab copies through a "copy" event: read what it put there.
    await page.evaluate(() => {
      (window as any).__copied = [];
      document.addEventListener('copy', event => {
        (window as any).__copied.push(
          event.clipboardData?.getData('text') ?? ''
        );
      });
    });
    await basket.locator('input.jp-JwstLab-basketFolder').fill(tmpPath);
    await basket.locator('button.jp-JwstLab-basketCurl').click();
    await basket.locator('button.jp-JwstLab-basketPython').click();
    const copied: string[] = await page.evaluate(
      () => (window as any).__copied
    );
    expect(copied).toHaveLength(2);
    const curl = copied[0].split('\n').filter(line => line.startsWith('curl'));
    expect(curl).toHaveLength(2);
    expect(curl[0]).toContain(
      `-o '${tmpPath}/JWST/${FIRST}/${FIRST}_cal.fits'`
    );
    expect(curl[0]).toContain(
      `'https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/${FIRST}_cal.fits'`
    );
    expect(copied[1]).toContain('Observations.download_file(');
    expect(copied[1]).toContain(
      `'${tmpPath}/JWST/${SECOND}/${SECOND}_cal.fits'`
    );

    const job = await new JwstLabHelper(page).startDownload(
      basket.locator('button.jp-JwstLab-basketDownload')
    );
    createdJobs.push(job.id);
    expect(job.download.files_total).toBe(2);
    await expect
      .poll(
        async () =>
          (await (await page.request.get(`/jwst-lab/jobs/${job.id}`)).json())
            .status,
        { timeout: 120000 }
      )
      .toBe('succeeded');
    for (const obsId of [FIRST, SECOND]) {
      const file = await page.request.get(
        `/api/contents/${tmpPath}/JWST/${obsId}/${obsId}_cal.fits?content=0`
      );
      expect(file.status()).toBe(200);
      expect((await file.json()).size).toBeGreaterThan(0);
    }
  });

  test('an unknown target says so in one sentence and clears the results and products', async ({
    page
  }) => {
    test.setTimeout(120000);
    const { panel, results } = await searchDemo(page);
    await row(results, FIRST).click();
    await expect(results.locator('.jp-JwstLab-mastProducts')).toBeVisible();

    const unknown = 'NO SUCH TARGET 4242';
    const query = panel.getByLabel('Target name or coordinates');
    await query.fill(unknown);
    await query.press('Enter');
    const hint = panel.locator('.jp-JwstLab-mastQueryHint');
    await expect(hint).toHaveText(
      `MAST's name resolver does not know '${unknown}'`,
      { timeout: 60000 }
    );
    await expect(hint).toHaveAttribute('data-kind', 'error');
    // What the resolver said is behind a disclosure, not under the field.
    const details = panel.locator('.jp-JwstLab-mastQueryDetail');
    await expect(details.locator('p')).toBeHidden();
    await details.locator('summary').click();
    await expect(details.locator('p')).toContainText('Santa-war/query');
    await expect(panel.locator('.jp-JwstLab-banner')).toHaveCount(0);

    // No stale rows, products or footprints remain.
    await expect(results.locator('.jp-JwstLab-mastTable')).toHaveCount(0);
    await expect(results.locator('.jp-JwstLab-mastProducts')).toHaveCount(0);
    await expect(results.locator('svg.jp-JwstLab-footprints')).toHaveCount(0);
    await expect(panel.locator('.jp-JwstLab-mastSummaryCount')).toHaveCount(0);

    // The disabled Search button (empty target) does not look primary.
    await query.fill('');
    const button = panel.locator('button.jp-JwstLab-mastSearch');
    await expect(button).toBeDisabled();
    const colours = await button.evaluate(node => {
      const style = getComputedStyle(node);
      const accent = getComputedStyle(document.body)
        .getPropertyValue('--jp-brand-color1')
        .trim();
      const probe = document.createElement('div');
      probe.style.color = accent;
      document.body.appendChild(probe);
      const brand = getComputedStyle(probe).color;
      probe.remove();
      return { background: style.backgroundColor, brand };
    });
    expect(colours.background).not.toBe(colours.brand);
  });
});
