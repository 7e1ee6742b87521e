import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { JobsHelper } from '../helpers/JobsHelper';

/**
 * The run dialog shows and sends what will really run (issue 14: defects 2,
 * 6, 9 and feature 3), on the demo workspace: its CRDS cache holds a
 * `pars-tweakregstep` reference that sets tweakreg's `enforce_user_order`
 * to True (the code default is False).
 */
const ASSOCIATION = 'jw09999-o001_20250401t130000_image3_00001_asn.json';
const UNCAL = 'jw09999001001_02101_00001_mirimage_uncal.fits';
const RATE = 'jw09999001001_02101_00001_mirimage_rate.fits';
const TWEAKREG_PARS = 'jwst_miri_pars-tweakregstep_9000.asdf';
const LATER_STEPS = [
  'skymatch',
  'outlier_detection',
  'resample',
  'source_catalog'
];

// All tests share one server and its job database: remove what a test created.
const problems: string[] = [];
const createdJobs = cleanUpAfterEach({ problems: () => problems }).jobs;

test.beforeEach(({ page }) => {
  problems.splice(0);
  watchForErrors(page, problems);
});

/** Open the run dialog of the demo's Level 3 association, its CRDS values shown. */
async function openImage3(jobs: JobsHelper) {
  await jobs.openFolder('cal');
  const dialog = await jobs.runFromContextMenu(
    ASSOCIATION,
    'Run Level 3 pipeline…'
  );
  await expect(dialog.getByLabel('Pipeline', { exact: true })).toHaveValue(
    'calwebb_image3',
    { timeout: 60000 }
  );
  // The CRDS worker imports jwst the first time: allow for it.
  await expect(dialog.locator('.jp-JwstLab-runEffective')).toContainText(
    TWEAKREG_PARS,
    { timeout: 120000 }
  );
  return dialog;
}

/** Close the run dialog with its Cancel button. */
async function closeDialog(dialog: Locator): Promise<void> {
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
}

/** Save the dialog's parameters to an ASDF file of the server root. */
async function saveParams(dialog: Locator, path: string): Promise<void> {
  await dialog.getByLabel('ASDF parameter file').fill(path);
  await dialog.locator('.jp-JwstLab-runSaveParams').click();
  await expect(dialog.locator('.jp-JwstLab-runFileNotice')).toHaveText(
    `Saved ${path}.`
  );
}

/**
 * The pipeline menu of the run dialog of `file` in `folder` (from its
 * context menu `entry`) offers `pipeline` only, selected; then the dialog is closed.
 */
async function expectOnlyPipeline(
  jobs: JobsHelper,
  folder: string,
  file: string,
  entry: string,
  pipeline: string
): Promise<void> {
  await jobs.openFolder(folder);
  const dialog = await jobs.runFromContextMenu(file, entry);
  const menu = dialog.getByLabel('Pipeline', { exact: true });
  await expect(menu).toHaveValue(pipeline, { timeout: 60000 });
  await expect(menu.locator('option')).toHaveText([pipeline]);
  await closeDialog(dialog);
}

test.describe('run dialog', () => {
  test('shows enforce_user_order as CRDS sets it; unticked, the job runs with False', async ({
    page
  }) => {
    test.setTimeout(420000);
    const jobs = new JobsHelper(page);
    const dialog = await openImage3(jobs);
    const tweakreg = await jobs.expandStep('tweakreg');
    const field = tweakreg.locator('[data-param="enforce_user_order"]');
    const box = field.locator('input[type="checkbox"]');
    await expect(box).toBeChecked();
    await expect(field).toHaveAttribute('data-source', 'crds');
    await expect(field).toContainText(TWEAKREG_PARS);
    await expect(jobs.step('tweakreg')).toContainText(
      `CRDS parameters: ${TWEAKREG_PARS}`
    );
    await page.screenshot({
      path: 'test-results/screenshots/run-dialog-crds-values.png'
    });

    await box.uncheck();
    await expect(field).toHaveAttribute('data-source', 'user');
    // Keep the job short: only tweakreg matters here.
    for (const step of LATER_STEPS) {
      await dialog.getByLabel(`Skip ${step}`, { exact: true }).check();
    }
    await dialog.locator('.jp-JwstLab-runSubmit').click();
    await expect(dialog).toHaveCount(0, { timeout: 30000 });
    const id = await jobs.shownJobId();
    createdJobs.push(id);
    await expect(jobs.detail(id)).toHaveAttribute('data-status', 'succeeded', {
      timeout: 300000
    });
    const job = await (await page.request.get(`/jwst-lab/jobs/${id}`)).json();
    expect(job.steps.tweakreg).toEqual({ enforce_user_order: false });
    // The parameters the pipeline really ran with (its saved parameter file).
    expect(job.params.steps.tweakreg.enforce_user_order).toBe(false);
  });

  test('Enter in the first field (the pipeline menu) submits', async ({
    page
  }) => {
    test.setTimeout(240000);
    const jobs = new JobsHelper(page);
    const dialog = await openImage3(jobs);
    const pipeline = dialog.getByLabel('Pipeline', { exact: true });
    await expect(pipeline).toBeFocused();
    await pipeline.press('Enter');
    await expect(dialog).toHaveCount(0, { timeout: 30000 });
    createdJobs.push(await jobs.shownJobId());
  });

  test('the pipeline menu of the demo uncal and rate files offers only what applies', async ({
    page
  }) => {
    test.setTimeout(180000);
    const jobs = new JobsHelper(page);
    // MIRI imaging (MIR_IMAGE): neither calwebb_dark nor calwebb_guider.
    await expectOnlyPipeline(
      jobs,
      'uncal',
      UNCAL,
      'Run Detector1…',
      'calwebb_detector1'
    );
    await expectOnlyPipeline(
      jobs,
      'rate',
      RATE,
      'Run Image2/Spec2…',
      'calwebb_image2'
    );
  });

  test('a parameter file round-trips through the dialog; Copy as strun', async ({
    page
  }) => {
    test.setTimeout(300000);
    const jobs = new JobsHelper(page);
    let dialog = await openImage3(jobs);
    let tweakreg = await jobs.expandStep('tweakreg');
    await tweakreg
      .locator('[data-param="enforce_user_order"] input[type="checkbox"]')
      .uncheck();
    const threshold = tweakreg.getByLabel('snr_threshold');
    await threshold.fill('7.5');
    await dialog.getByLabel('Skip source_catalog', { exact: true }).check();
    await saveParams(dialog, 'params/round_trip.asdf');

    await dialog.locator('.jp-JwstLab-runCopyStrun').click();
    const strun = dialog.locator('.jp-JwstLab-runStrun');
    await expect(strun).toContainText('CRDS_PATH=/');
    await expect(strun).toContainText('strun calwebb_image3 /');
    await expect(strun).toContainText(
      '--steps.tweakreg.enforce_user_order=False'
    );
    await closeDialog(dialog);

    // A new dialog shows CRDS's values until the file is loaded.
    dialog = await openImage3(jobs);
    tweakreg = await jobs.expandStep('tweakreg');
    const order = tweakreg.locator('[data-param="enforce_user_order"]');
    await expect(order.locator('input')).toBeChecked();
    await dialog
      .getByLabel('ASDF parameter file')
      .fill('params/round_trip.asdf');
    await dialog.locator('.jp-JwstLab-runLoadParams').click();
    await expect(order.locator('input')).not.toBeChecked();
    await expect(order).toHaveAttribute('data-source', 'file');
    await expect(tweakreg.getByLabel('snr_threshold')).toHaveValue('7.5');
    await expect(
      dialog.getByLabel('Skip source_catalog', { exact: true })
    ).toBeChecked();
    await saveParams(dialog, 'params/again.asdf');
    await closeDialog(dialog);

    const read = async (path: string) =>
      (
        await (
          await page.request.get(
            `/jwst-lab/pipelines/parameter-files?path=${encodeURIComponent(path)}`
          )
        ).json()
      ).steps;
    const first = await read('params/round_trip.asdf');
    expect(first.tweakreg.enforce_user_order).toBe(false);
    expect(first.tweakreg.snr_threshold).toBe(7.5);
    expect(first.source_catalog.skip).toBe(true);
    expect(await read('params/again.asdf')).toEqual(first);
  });
});
