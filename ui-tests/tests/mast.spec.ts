import { expect, test } from '@jupyterlab/galata';

import { cleanUpAfterEach } from '../helpers/cleanUp';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

/**
 * The MAST panel end to end on the demo workspace (`demo` profile of
 * jupyter_server_test_config.py: archive_backend=local on the demo's archive,
 * whose synthetic MIRI program observes the target DEMO-FIELD).
 */
const TARGET = 'DEMO-FIELD';
/** An exposure-level observation of the demo archive: uncal, rate and cal files. */
const OBSERVATION = 'jw09999001001_02101_00001_mirimage';
/** Its product MAST recommends (cal is a "Minimum Recommended Product"). */
const RECOMMENDED_FILE = `${OBSERVATION}_cal.fits`;

// All tests share one server and its job database: remove what a test created.
const createdJobs = cleanUpAfterEach().jobs;

test.describe('MAST panel', () => {
  test('search the demo target, pick recommended products, download them and see them in the file browser', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(180000);
    const lab = new JwstLabHelper(page);
    const panel = await lab.openPanel('mast');

    // Search with Enter in the target field.
    const query = panel.getByLabel('Target name or coordinates');
    await query.fill(TARGET);
    await expect(panel.locator('.jp-JwstLab-mastQueryHint')).toHaveText(
      `Target name: ${TARGET}`
    );
    await query.press('Enter');
    // The results open in the main area; the sidebar says how many.
    const results = page.locator('#jwst-lab-mast-results');
    const table = results.locator('.jp-JwstLab-mastTable');
    await expect(table).toBeVisible({ timeout: 60000 });
    await expect(results.locator('.jp-JwstLab-mastCount')).toContainText(
      'observations'
    );
    await expect(panel.locator('.jp-JwstLab-mastSummaryCount')).toContainText(
      'results'
    );
    await expect(table.locator('.jp-JwstLab-vtableRow').first()).toContainText(
      TARGET
    );
    // Observations can be ticked for "Download and reduce"; ticking opens nothing.
    const ticks = table.locator('input.jp-JwstLab-observationTick');
    await ticks.nth(0).check();
    await ticks.nth(1).check();
    const toReduce = results.locator('.jp-JwstLab-observationsToReduce');
    await expect(toReduce).toContainText('2 observations ticked');
    await expect(
      toReduce.getByRole('button', { name: 'Download and reduce' })
    ).toBeEnabled();
    await expect(results.locator('.jp-JwstLab-mastProducts')).toHaveCount(0);
    await results.screenshot({
      path: 'test-results/screenshots/mast-results.png'
    });
    await toReduce.getByRole('button', { name: 'Clear' }).click();
    await expect(toReduce).toHaveCount(0);

    // Open the observation: its products are listed.
    const row = table.locator('.jp-JwstLab-vtableRow', {
      hasText: OBSERVATION
    });
    await row.first().click();
    const products = results.locator('.jp-JwstLab-mastProducts');
    await expect(products.locator('.jp-JwstLab-sectionTitle')).toContainText(
      OBSERVATION
    );
    await expect(
      products.locator('.jp-JwstLab-productTable .jp-JwstLab-vtableRow', {
        hasText: RECOMMENDED_FILE
      })
    ).toBeVisible({ timeout: 30000 });

    // Tick the recommended products: the cal file, and its size is summed.
    await products.locator('button.jp-JwstLab-selectRecommended').click();
    const calRow = products.locator(
      '.jp-JwstLab-productTable .jp-JwstLab-vtableRow',
      { hasText: RECOMMENDED_FILE }
    );
    await expect(calRow.locator('input[type="checkbox"]')).toBeChecked();
    const uncalRow = products.locator(
      '.jp-JwstLab-productTable .jp-JwstLab-vtableRow',
      { hasText: `${OBSERVATION}_uncal.fits` }
    );
    await expect(uncalRow.locator('input[type="checkbox"]')).not.toBeChecked();
    await expect(
      products.locator('.jp-JwstLab-selectionSummary')
    ).toContainText(/\d+ selected .* [\d.]+ (kB|MB|GB)/);

    // Download into this test's folder.
    const download = results.locator('.jp-JwstLab-mastDownload');
    await download.locator('input.jp-JwstLab-downloadFolder').fill(tmpPath);
    const job = await lab.startDownload(
      download.locator('button.jp-JwstLab-downloadButton')
    );
    createdJobs.push(job.id);
    expect(job.kind).toBe('download');

    // Progress in the panel, then done.
    const status = download.locator('.jp-JwstLab-downloadStatus');
    await expect(status).toBeVisible();
    await expect(
      status.locator('progress.jp-JwstLab-downloadProgress')
    ).toBeVisible();
    await expect(status).toHaveAttribute('data-status', 'succeeded', {
      timeout: 120000
    });
    await expect(status.locator('.jp-JwstLab-downloadText')).toContainText(
      /Downloaded: (\d+) of \1 files?/
    );
    await expect(
      status.locator('progress.jp-JwstLab-downloadProgress')
    ).toHaveJSProperty('value', 1);
    await results.screenshot({
      path: 'test-results/screenshots/mast-download.png'
    });

    // The same job in the Jobs panel.
    const jobs = await lab.openPanel('jobs');
    const jobRow = jobs.locator(`.jp-JwstLab-jobItem[data-job-id="${job.id}"]`);
    await expect(jobRow).toBeVisible();
    await expect(jobRow).toHaveAttribute('data-status', 'succeeded');

    // "Open folder" shows the downloaded file in the file browser.
    await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'MAST:' })
      .click();
    await results.locator('button.jp-JwstLab-openFolder').click();
    const listing = page.locator('.jp-FileBrowser .jp-DirListing-content');
    await expect(listing).toBeVisible();
    await expect(
      listing.locator('.jp-DirListing-itemName', { hasText: RECOMMENDED_FILE })
    ).toBeVisible({ timeout: 30000 });
    await expect(
      listing.locator('.jp-DirListing-itemName', {
        hasText: `${OBSERVATION}_uncal.fits`
      })
    ).toHaveCount(0);
  });

  test('the token goes only to the server, and the last search (without it) comes back after a reload', async ({
    page
  }) => {
    test.setTimeout(120000);
    const secret = `galata-${Date.now()}-not-a-real-token`;
    const carriers: string[] = [];
    page.on('request', request => {
      if ((request.postData() ?? '').includes(secret)) {
        carriers.push(`${request.method()} ${new URL(request.url()).pathname}`);
      }
    });
    const lab = new JwstLabHelper(page);
    let panel = await lab.openPanel('mast');

    const token = panel.locator('.jp-JwstLab-mastToken');
    await token.locator('summary').click();
    await expect(token.locator('.jp-JwstLab-tokenStatus')).toContainText(
      'No MAST token'
    );
    const field = token.getByLabel('Token (kept by the server only)');
    await expect(field).toHaveAttribute('type', 'password');
    await field.fill(secret);
    await field.press('Enter');
    await expect(token.locator('.jp-JwstLab-tokenStatus')).toContainText(
      'A MAST token is set'
    );
    await expect(field).toHaveValue('');

    const query = panel.getByLabel('Target name or coordinates');
    await query.fill(TARGET);
    // JupyterLab saves workspace state in batches: wait for the save before reloading.
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces/') &&
        (request.postData() ?? '').includes('jwst-lab:mast:last-search')
    );
    await query.press('Enter');
    const results = page.locator('#jwst-lab-mast-results');
    await expect(results.locator('.jp-JwstLab-mastTable')).toBeVisible({
      timeout: 60000
    });
    const count = await results.locator('.jp-JwstLab-mastCount').textContent();
    await saved;

    // Galata's "ready" waits for the Launcher to be the active tab: after this
    // reload the restored results document is, so wait for the app instead.
    await page.reload({ waitForIsReady: false });
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    panel = await lab.openPanel('mast');
    await expect(panel.getByLabel('Target name or coordinates')).toHaveValue(
      TARGET
    );
    // The results document comes back with the search.
    await expect(results.locator('.jp-JwstLab-mastCount')).toHaveText(
      count ?? '',
      { timeout: 60000 }
    );
    await expect(
      panel.locator('.jp-JwstLab-mastToken .jp-JwstLab-tokenState')
    ).toHaveText('(set)');

    // Only PUT /mast/token carried the token; the browser kept no copy.
    expect(carriers).toEqual(['PUT /jwst-lab/mast/token']);
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...window.localStorage, ...window.sessionStorage })
    );
    expect(stored).not.toContain(secret);
    const workspace = await page.request.get('/lab/api/workspaces');
    expect(await workspace.text()).not.toContain(secret);

    const forget = panel.locator('button.jp-JwstLab-tokenForget');
    await panel.locator('.jp-JwstLab-mastToken summary').click();
    await forget.click();
    await expect(
      panel.locator('.jp-JwstLab-mastToken .jp-JwstLab-tokenState')
    ).toHaveText('(not set)');
  });
});
