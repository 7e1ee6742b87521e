import { expect, test } from '@jupyterlab/galata';

import { cleanUpAfterEach } from '../helpers/cleanUp';
import { JobsHelper } from '../helpers/JobsHelper';

/**
 * The real flow on the demo workspace (jupyter_server_test_config.py, `demo`
 * profile): the Level 3 image association in `cal/` with its four synthetic
 * MIRI cal files, run by the real calwebb_image3 in a runner subprocess
 * (~25 s on 2 cores when the machine is idle).
 */
const ASSOCIATION = 'jw09999-o001_20250401t130000_image3_00001_asn.json';

// All tests share one server and its job database: remove what a test created.
const createdJobs = cleanUpAfterEach().jobs;

test.describe('pipeline jobs flow', () => {
  test('right-click the Level 3 association, run, follow, quick look, rerun', async ({
    page
  }) => {
    test.setTimeout(420000);
    const jobs = new JobsHelper(page);
    const panel = await jobs.lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toHaveText('live');

    await jobs.openFolder('cal');
    await expect(jobs.fileItem(ASSOCIATION)).toHaveAttribute(
      'data-file-type',
      'jwst-asn'
    );
    const dialog = await jobs.runFromContextMenu(
      ASSOCIATION,
      'Run Level 3 pipeline…'
    );
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Pipeline', { exact: true })).toHaveValue(
      'calwebb_image3',
      {
        timeout: 60000
      }
    );
    await expect(dialog.locator('.jp-JwstLab-runInputMeta')).toContainText(
      'image3 association, 4 members'
    );
    for (const step of [
      'tweakreg',
      'skymatch',
      'outlier_detection',
      'resample',
      'source_catalog'
    ]) {
      await expect(jobs.step(step)).toBeVisible();
    }

    // Client-side validation names the field before anything is sent.
    const resample = await jobs.expandStep('resample');
    const pixfrac = resample.getByLabel('pixfrac');
    await expect(pixfrac).toHaveValue('1.0');
    await pixfrac.fill('2');
    await expect(
      resample.locator('[data-param="pixfrac"] .jp-JwstLab-fieldError')
    ).toContainText('at most 1');
    await dialog.locator('.jp-JwstLab-runSubmit').click();
    await expect(dialog).toBeVisible();
    await expect(pixfrac).toHaveAttribute('aria-invalid', 'true');

    await pixfrac.fill('0.9');
    await expect(pixfrac).not.toHaveAttribute('aria-invalid', 'true');
    await page.screenshot({
      path: 'test-results/screenshots/run-dialog.png'
    });
    // Enter submits the form.
    await pixfrac.press('Enter');
    await expect(dialog).toHaveCount(0, { timeout: 30000 });

    // The job's tab opens; the Jobs panel lists it.
    const id = await jobs.shownJobId();
    createdJobs.push(id);
    const detail = jobs.detail(id);
    await expect(jobs.row(id)).toBeVisible();
    await expect(jobs.row(id)).toContainText(
      `jw09999 image3 · ${id.slice(0, 4)}`
    );

    // Steps advance and the log streams while it runs.
    await expect
      .poll(() => jobs.stepsDone(id), { timeout: 240000 })
      .toBeGreaterThanOrEqual(1);
    await expect(detail.locator('.jp-JwstLab-logLine').first()).toBeVisible();
    await expect(
      detail.locator('.jp-JwstLab-logViewport', {
        hasText: 'Step tweakreg'
      })
    ).toBeVisible({ timeout: 60000 });
    await page.screenshot({
      path: 'test-results/screenshots/job-running.png'
    });

    await expect(detail).toHaveAttribute('data-status', 'succeeded', {
      timeout: 300000
    });
    await expect(jobs.row(id)).toHaveAttribute('data-status', 'succeeded');
    await expect(detail.locator('[role="progressbar"]')).toHaveAttribute(
      'aria-valuenow',
      '6'
    );
    // The notification says so, with a way back to the job.
    await expect(
      page.locator('.Toastify__toast', { hasText: 'Job succeeded' })
    ).toBeVisible();

    // Provenance: the parameters as requested, the CRDS context used.
    const provenance = detail.locator('.jp-JwstLab-provenance');
    await expect(provenance).toContainText('CRDS context used');
    await expect(provenance).toContainText('.pmap');
    await expect(provenance).toContainText('"pixfrac": 0.9');

    // The i2d quick look, fetched through the client.
    const i2d = detail.locator('.jp-JwstLab-output[data-path$="_i2d.fits"]');
    await expect(i2d).toHaveCount(1);
    await i2d.getByRole('button', { name: /Quick look/ }).click();
    const image = detail.locator('.jp-JwstLab-quickLookImage');
    await expect(image).toBeVisible({ timeout: 60000 });
    await expect
      .poll(() => image.evaluate(img => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await detail.screenshot({
      path: 'test-results/screenshots/job-succeeded.png'
    });

    // The output in the file browser, and its Quick Look from there.
    await i2d
      .getByRole('button', { name: /Show .* in the file browser/ })
      .click();
    const i2dName = (await i2d.getAttribute('data-path'))!.split('/').pop()!;
    const item = jobs.fileItem(i2dName);
    await expect(item).toBeVisible({ timeout: 30000 });
    await expect(item).toHaveAttribute('data-file-type', 'jwst-i2d');
    await item.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Quick Look' }).click();
    await expect(
      page.locator('.jp-JwstLab-quickLookContent .jp-JwstLab-quickLookImage')
    ).toBeVisible({ timeout: 60000 });
    await expect(
      page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current')
    ).toContainText(`Quick Look: ${i2dName}`);
    // Back to the job's tab.
    await page
      .locator('.lm-DockPanel .lm-TabBar-tab', { hasText: id.slice(0, 4) })
      .click();

    // Rerun: a new job with the same parameters opens in its own tab.
    await detail.getByRole('button', { name: 'Rerun' }).click();
    await expect
      .poll(async () => await jobs.shownJobId(), { timeout: 30000 })
      .not.toBe(id);
    const rerun = await jobs.shownJobId();
    createdJobs.push(rerun);
    await jobs.lab.openPanel('jobs');
    await expect(jobs.row(rerun)).toBeVisible();
    await expect(
      jobs.detail(rerun).locator('.jp-JwstLab-provenance')
    ).toContainText(id);
    const record = await (
      await page.request.get(`/jwst-lab/jobs/${rerun}`)
    ).json();
    expect(record.rerun_of).toBe(id);
    expect(record.steps).toEqual({ resample: { pixfrac: 0.9 } });
  });

  test('cancel a running job from its tab', async ({ page }) => {
    test.setTimeout(300000);
    const jobs = new JobsHelper(page);
    const { dialog, run } = await jobs.openLevel3Dialog(ASSOCIATION);
    await run.click();
    await expect(dialog).toHaveCount(0, { timeout: 30000 });

    const id = await jobs.shownJobId();
    createdJobs.push(id);
    const detail = jobs.detail(id);
    await expect(detail).toHaveAttribute('data-status', 'running', {
      timeout: 120000
    });
    await expect(detail.locator('.jp-JwstLab-logLine').first()).toBeVisible({
      timeout: 60000
    });

    await detail.getByRole('button', { name: 'Cancel' }).click();
    await expect(detail).toHaveAttribute('data-status', 'cancelled', {
      timeout: 60000
    });
    // Issue 14, defect 5: once Cancelled shows, "Cancelling…" is gone, and the
    // cancel is one log line, not SystemExit's traceback.
    await expect(detail.locator('.jp-JwstLab-jobNotice')).toHaveCount(0);
    const log = await (
      await page.request.get(`/jwst-lab/jobs/${id}/log`)
    ).json();
    expect(log.text).not.toContain('Traceback');
    expect(log.text).not.toContain('SystemExit');
    expect(log.text.match(/Cancelled by the user/g)).toHaveLength(1);
    await expect(
      detail.locator('.jp-JwstLab-logLine[data-level="ERROR"]')
    ).toHaveCount(0);
    await expect(
      detail.locator('.jp-JwstLab-logViewport', {
        hasText: 'Cancelled by the user'
      })
    ).toBeVisible();
    await expect(jobs.row(id)).toHaveAttribute('data-status', 'cancelled');
    await expect(detail.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
    await expect(detail.getByRole('button', { name: 'Rerun' })).toBeVisible();

    // The state is the server's: a reload shows the same job, still selected.
    // (Galata's page.reload() waits for a Launcher tab; the restored layout shows the job.)
    await page.evaluate(() => window.location.reload());
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(jobs.detail(id)).toHaveAttribute('data-status', 'cancelled', {
      timeout: 60000
    });
    await expect(jobs.row(id)).toHaveAttribute('data-selected', 'true');
  });

  test('exposures: Detector1 and Image2/Spec2 menus, Escape cancels, a batch makes one job per file', async ({
    page
  }) => {
    test.setTimeout(180000);
    const jobs = new JobsHelper(page);
    await jobs.openFolder('rate');
    const rate = 'jw09999001001_02101_00001_mirimage_rate.fits';
    await expect(jobs.fileItem(rate)).toHaveAttribute(
      'data-file-type',
      'jwst-rate'
    );
    let dialog = await jobs.runFromContextMenu(rate, 'Run Image2/Spec2…');
    const pipeline = dialog.getByLabel('Pipeline', { exact: true });
    await expect(pipeline).toHaveValue('calwebb_image2', { timeout: 60000 });
    // A MIRI imaging rate (EXP_TYPE MIR_IMAGE): spec2 does not apply and is not offered.
    await expect(pipeline.locator('option')).toHaveText(['calwebb_image2']);
    await expect(jobs.step('flat_field')).toBeVisible();
    // A file parameter is a path in the server root: one leading out is refused by the
    // server, and the refusal is shown next to the field; nothing is queued.
    const flatField = await jobs.expandStep('flat_field');
    const userFlat = flatField.getByLabel('user_supplied_flat');
    await expect(userFlat).toHaveAttribute(
      'placeholder',
      'a file, relative to the server root'
    );
    await userFlat.fill('../../etc/flat.fits');
    await dialog.locator('.jp-JwstLab-runSubmit').click();
    await expect(
      flatField.locator(
        '[data-param="user_supplied_flat"] .jp-JwstLab-fieldError'
      )
    ).toContainText("must not use '..'", { timeout: 30000 });
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    // Two uncal exposures selected: one Detector1 job each.
    await jobs.openFolder('uncal');
    const first = 'jw09999001001_02101_00001_mirimage_uncal.fits';
    const second = 'jw09999001001_02101_00002_mirimage_uncal.fits';
    await jobs.fileItem(first).click();
    await jobs.fileItem(second).click({ modifiers: ['Control'] });
    dialog = await jobs.runFromContextMenu(second, 'Run Detector1…');
    await expect(dialog.getByLabel('Pipeline', { exact: true })).toHaveValue(
      'calwebb_detector1',
      { timeout: 60000 }
    );
    await expect(dialog.locator('.jp-JwstLab-runInput')).toHaveCount(2);
    const submit = dialog.locator('.jp-JwstLab-runSubmit');
    await expect(submit).toHaveText('Run 2 jobs');
    await submit.click();
    await expect(dialog).toHaveCount(0, { timeout: 30000 });

    const panel = await jobs.lab.openPanel('jobs');
    const rows = panel.locator('.jp-JwstLab-jobItem', {
      hasText: 'detector1'
    });
    await expect(rows).toHaveCount(2, { timeout: 30000 });
    for (const id of await rows.evaluateAll(nodes =>
      nodes.map(node => (node as HTMLElement).dataset.jobId as string)
    )) {
      createdJobs.push(id);
    }
    await expect(rows.filter({ hasText: '00001_mirimage_uncal' })).toHaveCount(
      1
    );
    await expect(rows.filter({ hasText: '00002_mirimage_uncal' })).toHaveCount(
      1
    );
  });
});
