import { expect, test } from '@jupyterlab/galata';

import { JobsHelper } from '../helpers/JobsHelper';

/**
 * A program reduced in the browser, on the demo workspace (the `demo`
 * profile of jupyter_server_test_config.py): right-click the `uncal` folder,
 * Reduce to Level 3…, the plan (detector1 × 4, image2 × 4, image3 × 1), Run,
 * the run's tab follows the real pipelines to the end, the Jobs panel groups
 * the nine jobs under the run. The only run of the suite: a few minutes.
 */
test.describe('runs', () => {
  test('reduce the uncal folder to Level 3: plan, run, graph, grouped jobs', async ({
    page
  }) => {
    test.setTimeout(900000);
    const problems: string[] = [];
    page.on('console', message => {
      if (message.type() === 'error') {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('pageerror', error => problems.push(`page: ${error.message}`));

    const jobs = new JobsHelper(page);
    const panel = await jobs.lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toHaveText('live');

    // Right-click the folder: the three levels are offered.
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openHomeDirectory();
    const folder = jobs.fileItem('uncal').first();
    await expect(folder).toHaveAttribute('data-isdir', 'true');
    await folder.click({ button: 'right' });
    for (const level of [1, 2]) {
      await expect(
        page.locator('.lm-Menu-item', { hasText: `Reduce to Level ${level}…` })
      ).toBeVisible();
    }
    await page
      .locator('.lm-Menu-item', { hasText: 'Reduce to Level 3…' })
      .click();

    // The plan: three stages 4 / 4 / 1 with memory estimates against the limit.
    const dialog = page.locator('.jp-JwstLab-planDialog');
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
    await expect(dialog).toHaveCount(0, { timeout: 60000 });
    const view = page.locator(
      '.jp-JwstLab-runTab:not(.lm-mod-hidden) .jp-JwstLab-runView[data-run-id]'
    );
    await expect(view).toBeVisible({ timeout: 30000 });
    const runId = (await view.getAttribute('data-run-id')) as string;
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
    await expect(view).toHaveAttribute('data-status', 'succeeded', {
      timeout: 840000
    });
    await expect(
      view.locator('.jp-JwstLab-runNode[data-status="succeeded"]')
    ).toHaveCount(9);
    await expect(
      view.locator('.jp-JwstLab-runProgress [role="progressbar"]')
    ).toHaveAttribute('aria-valuenow', '9');
    await expect(view.locator('.jp-JwstLab-memoryChart')).toBeVisible();
    await expect(
      page.locator('.Toastify__toast', { hasText: 'Run succeeded' })
    ).toBeVisible({ timeout: 30000 });

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
    await page
      .locator('.lm-DockPanel .lm-TabBar-tab', { hasText: runId.slice(0, 8) })
      .click();
    await expect(view).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/run-dark.png' });
    await page.sidebar.openTab('filebrowser');
    await jobs.fileItem('uncal').first().click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Reduce to Level 3…' })
      .click();
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

    expect(problems).toEqual([]);

    // Clean up: the run and its jobs (those deleting the run left).
    const record = await (
      await page.request.get(`/jwst-lab/runs/${runId}`)
    ).json();
    expect(
      (await page.request.delete(`/jwst-lab/runs/${runId}`)).status()
    ).toBe(204);
    for (const job of record.jobs as { id: string }[]) {
      if ((await page.request.get(`/jwst-lab/jobs/${job.id}`)).ok()) {
        expect(
          (await page.request.delete(`/jwst-lab/jobs/${job.id}`)).status()
        ).toBe(204);
      }
    }
  });
});
