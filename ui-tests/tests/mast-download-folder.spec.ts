import { expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

/**
 * Issue 14, defect 8: "The download folder is pre-filled silently with the
 * file browser's folder after the first use; say where files will go and
 * keep the user's choice." On the demo workspace: the form says where the
 * files will go (folder, collection, observation) and why (a suggestion, your
 * folder, the server's); a folder the user typed survives the file browser
 * moving elsewhere, another observation, and a page reload; an emptied field
 * means the server's download folder, and that choice is kept too.
 */
const TARGET = 'DEMO-FIELD';
const FIRST = 'jw09999001001_02101_00001_mirimage';
const SECOND = 'jw09999001001_02101_00002_mirimage';
const DEST_KEY = 'jwst-lab:download-dest';

test.use({ viewport: { width: 1600, height: 1000 } });

let problems: string[] = [];
test.beforeEach(({ page }) => {
  problems = [];
  watchForErrors(page, problems);
});
const created = cleanUpAfterEach({ problems: () => problems });

/** Open an observation's products from its grid row; the download form shows. */
async function openObservation(
  results: Locator,
  obsId: string
): Promise<{ folder: Locator; where: Locator }> {
  await results
    .locator('.jp-JwstLab-mastTable .jp-JwstLab-vtableRow', { hasText: obsId })
    .click();
  const products = results.locator('.jp-JwstLab-mastResultsProducts');
  await expect(products.locator('.jp-JwstLab-sectionTitle')).toContainText(
    obsId
  );
  return {
    folder: products.locator('input.jp-JwstLab-downloadFolder'),
    where: products.locator('.jp-JwstLab-downloadWhere')
  };
}

test.describe('MAST download folder (issue 14, defect 8)', () => {
  test('says where files go, and keeps the folder the user typed through browsing, another observation and a reload', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(180000);
    // The file browser is in the test's folder: the form suggests it, and says so.
    let results = await new JwstLabHelper(page).searchMast(TARGET);
    let form = await openObservation(results, FIRST);
    await expect(form.folder).toHaveValue(tmpPath);
    await expect(form.where).toHaveAttribute('data-origin', 'suggested');
    await expect(form.where).toHaveText(
      `Files go to ${tmpPath}/JWST/${FIRST}/ (suggested: the settings’ or the file browser’s folder; type another to keep it)`
    );
    // The field is described by the sentence (screen readers read it too).
    const described = await form.folder.getAttribute('aria-describedby');
    expect(described).toBe(await form.where.getAttribute('id'));

    // The user types a folder: it is theirs, and the sentence follows as they type.
    const mine = `${tmpPath}/mine`;
    await form.folder.fill(mine);
    await expect(form.where).toHaveAttribute('data-origin', 'yours');
    await expect(form.where).toHaveText(
      `Files go to ${mine}/JWST/${FIRST}/ (your folder, kept for the next downloads)`
    );

    // Download a file there: it lands where the sentence said.
    const products = results.locator('.jp-JwstLab-mastResultsProducts');
    const cal = products.locator(
      '.jp-JwstLab-productTable .jp-JwstLab-vtableRow',
      { hasText: `${FIRST}_cal.fits` }
    );
    await expect(cal).toBeVisible({ timeout: 30000 });
    await cal.locator('input[type="checkbox"]').check();
    const job = await new JwstLabHelper(page).startDownload(
      products.locator('button.jp-JwstLab-downloadButton')
    );
    created.jobs.push(job.id);
    await expect(
      products.locator('.jp-JwstLab-downloadStatus[data-status="succeeded"]')
    ).toBeVisible({ timeout: 120000 });
    const file = await page.request.get(
      `/api/contents/${mine}/JWST/${FIRST}/${FIRST}_cal.fits?content=0`
    );
    expect(file.status()).toBe(200);

    // The file browser goes elsewhere and another observation opens: the
    // user's folder stays (the old form replaced it with the browser's folder).
    await page.sidebar.openTab('filebrowser');
    expect(await page.filebrowser.openDirectory('rate')).toBe(true);
    form = await openObservation(results, SECOND);
    await expect(form.folder).toHaveValue(mine);
    await expect(form.where).toHaveAttribute('data-origin', 'yours');
    await expect(form.where).toContainText(`${mine}/JWST/${SECOND}/`);

    // After a reload the choice is still the user's, not the browser's folder.
    expect(
      await page.evaluate(key => localStorage.getItem(key), DEST_KEY)
    ).toBe(mine);
    await page.reload({ waitForIsReady: false });
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    results = await new JwstLabHelper(page).searchMast(TARGET);
    form = await openObservation(results, FIRST);
    await expect(form.folder).toHaveValue(mine);
    await expect(form.where).toHaveAttribute('data-origin', 'yours');
    await expect(form.where).toHaveText(
      `Files go to ${mine}/JWST/${FIRST}/ (your folder, kept for the next downloads)`
    );

    // Emptied, the field means the server's download folder; that is kept too.
    await form.folder.fill('');
    await expect(form.where).toHaveAttribute('data-origin', 'server');
    await expect(form.where).toHaveText(
      `Files go to the server’s download folder, in JWST/${FIRST}/ (type a folder under the server root to choose one)`
    );
    await page.sidebar.openTab('filebrowser');
    expect(await page.filebrowser.openDirectory('uncal')).toBe(true);
    form = await openObservation(results, SECOND);
    await expect(form.folder).toHaveValue('');
    await expect(form.where).toHaveAttribute('data-origin', 'server');
  });
});
