import { expect, test } from '@jupyterlab/galata';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { RunsHelper } from '../helpers/RunsHelper';

/**
 * A program reduced in the browser, on the demo workspace (the `demo`
 * profile of jupyter_server_test_config.py): right-click the `uncal` folder,
 * Reduce to Level 3…, the plan (detector1 × 4, image2 × 4, image3 × 1), Run,
 * the run's tab follows the real pipelines to the end, the Jobs panel groups
 * the nine jobs under the run (cancel and resume: runs-cancel.spec.ts).
 */
const problems: string[] = [];
const created = cleanUpAfterEach({ problems: () => problems });

test.beforeEach(({ page }) => {
  problems.splice(0);
  watchForErrors(page, problems);
});

test.describe('runs', () => {
  test('reduce the uncal folder to Level 3: plan, run, graph, grouped jobs', async ({
    page
  }) => {
    test.setTimeout(900000);
    const runs = new RunsHelper(page);
    const jobs = runs.jobs;
    const panel = await jobs.lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toHaveText('live');

    // Right-click the folder: the three levels are offered.
    await runs.openFolderMenu('uncal');
    for (const level of [1, 2] as const) {
      await expect(runs.reduceEntry(level)).toBeVisible();
    }
    await runs.reduceEntry(3).click();

    // The plan: three stages 4 / 4 / 1 with memory estimates against the limit.
    const dialog = runs.planDialog();
    await expect(dialog).toBeVisible();
    const stages = dialog.locator('.jp-JwstLab-planStage');
    await expect(stages).toHaveCount(3, { timeout: 120000 });
    expect(
      await stages.evaluateAll(nodes =>
        nodes.map(node => [
          (node as HTMLElement).dataset.pipeline,
          (node as HTMLElement).dataset.jobs
        ])
      )
    ).toEqual([
      ['calwebb_detector1', '4'],
      ['calwebb_image2', '4'],
      ['calwebb_image3', '1']
    ]);
    await expect(dialog.locator('.jp-JwstLab-memoryBar')).toHaveCount(9);
    await expect(dialog.locator('.jp-JwstLab-planMemory')).toContainText(
      'Memory limit'
    );
    // The parameters of a pipeline, from the run form's editor.
    await dialog
      .locator('.jp-JwstLab-planParamsTab[data-pipeline="calwebb_image3"]')
      .click();
    await expect(
      dialog.locator('.jp-JwstLab-runStep[data-step="resample"]')
    ).toBeVisible({ timeout: 60000 });
    const submit = dialog.locator('.jp-JwstLab-planSubmit');
    await expect(submit).toHaveText('Run 9 jobs');
    await page.screenshot({ path: 'test-results/screenshots/plan-light.png' });

    // Enter runs it; the run's tab opens.
    await submit.focus();
    await page.keyboard.press('Enter');
    const { view, runId } = await runs.submitted();
    created.runs.push(runId);
    const nodes = view.locator('.jp-JwstLab-runNode');
    await expect(nodes).toHaveCount(9, { timeout: 30000 });
    await expect(
      page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current')
    ).toContainText(`L3 · ${runId.slice(0, 8)}`);

    // It runs: some job starts, then everything succeeds.
    await expect(
      view.locator('.jp-JwstLab-runNode[data-status="running"]').first()
    ).toBeVisible({ timeout: 120000 });
    await page.screenshot({
      path: 'test-results/screenshots/run-running-light.png'
    });
    await runs.expectSucceeded(view, 9, 840000);
    await expect(
      view.locator('.jp-JwstLab-runProgress [role="progressbar"]')
    ).toHaveAttribute('aria-valuenow', '9');
    await expect(view.locator('.jp-JwstLab-memoryChart')).toBeVisible();

    // The Jobs panel: nine jobs under the run's row.
    await jobs.lab.openPanel('jobs');
    const row = jobs.lab
      .panel('jobs')
      .locator(`.jp-JwstLab-runItem[data-run-id="${runId}"]`);
    await expect(row).toHaveAttribute('data-status', 'succeeded');
    await expect(row).toHaveAttribute('data-children', '9');
    await row.locator('.jp-JwstLab-runItemToggle').click();
    await expect(
      row.locator('.jp-JwstLab-runChildren .jp-JwstLab-jobItem')
    ).toHaveCount(9);
    await page.screenshot({ path: 'test-results/screenshots/run-light.png' });

    // A node opens its job's tab.
    await view
      .locator('.jp-JwstLab-runNode[data-pipeline="calwebb_image3"]')
      .click();
    const detail = page.locator(
      '.jp-JwstLab-jobDetailWidget:not(.lm-mod-hidden) .jp-JwstLab-jobDetail'
    );
    await expect(detail).toHaveAttribute('data-status', 'succeeded');
    await expect(detail).toContainText('calwebb_image3');

    // Dark theme: the run's tab and the plan dialog.
    await page.theme.setDarkTheme();
    await runs.showTab(runId);
    await expect(view).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/run-dark.png' });
    await runs.reduce('uncal', 3);
    await expect(dialog.locator('.jp-JwstLab-planStage')).toHaveCount(3, {
      timeout: 120000
    });
    await page.screenshot({ path: 'test-results/screenshots/plan-dark.png' });
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await page.theme.setLightTheme();

    // After a reload the run's tab is back.
    await page.evaluate(() => window.location.reload());
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(
      page.locator(`.jp-JwstLab-runView[data-run-id="${runId}"]`)
    ).toHaveAttribute('data-status', 'succeeded', { timeout: 60000 });
  });
});
