import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { RunsHelper } from '../helpers/RunsHelper';

/**
 * Issue 13: "cancelling mid-run leaves no job running and resume completes
 * it", in the browser, on the demo workspace: the demo's `uncal/` folder
 * reduced to Level 3, cancelled from the run's tab once a job is done, then
 * resumed from the same tab to the end, the jobs done before reused; its
 * Level 3 image opens from the run's folder.
 */
const problems: string[] = [];
const created = cleanUpAfterEach({ problems: () => problems });

test.beforeEach(({ page }) => {
  problems.splice(0);
  watchForErrors(page, problems);
});

interface IRunJobRecord {
  id: string;
  key: string;
  pipeline: string;
  status: string;
  reused: boolean;
  depends_on: string[];
}

interface IRunRecord {
  status: string;
  output_dir: string;
  jobs: IRunJobRecord[];
  progress: { jobs_done: number; jobs_total: number };
}

async function getRun(
  request: APIRequestContext,
  id: string
): Promise<IRunRecord> {
  const answer = await request.get(`/jwst-lab/runs/${id}`);
  expect(answer.status()).toBe(200);
  return answer.json();
}

/** The statuses of the run's child jobs, as `GET /jobs` lists them. */
async function childStatuses(
  request: APIRequestContext,
  runId: string
): Promise<string[]> {
  const answer = await request.get('/jwst-lab/jobs?page_size=500');
  expect(answer.status()).toBe(200);
  const { jobs } = (await answer.json()) as {
    jobs: { run_id?: string | null; status: string }[];
  };
  return jobs.filter(job => job.run_id === runId).map(job => job.status);
}

/** The run tab's button named `name`. */
function action(view: Locator, name: string): Locator {
  return view
    .locator('.jp-JwstLab-runViewActions')
    .getByRole('button', { name, exact: true });
}

test.describe('runs: cancel and resume', () => {
  test('cancel mid-run from the run tab leaves nothing running; Resume reuses the jobs done and completes', async ({
    page
  }) => {
    test.setTimeout(600000);
    const runs = new RunsHelper(page);
    const jobs = runs.jobs;
    const panel = await jobs.lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toHaveText('live');

    const dialog = await runs.reduce('uncal', 3);
    const submit = dialog.locator('.jp-JwstLab-planSubmit');
    await expect(submit).toHaveText('Run 9 jobs', { timeout: 120000 });
    await submit.click();
    const { view, runId } = await runs.submitted();
    created.runs.push(runId);
    const nodes = view.locator('.jp-JwstLab-runNode');
    await expect(nodes).toHaveCount(9, { timeout: 30000 });
    // While it runs there is nothing to resume.
    await expect(action(view, 'Resume')).toHaveCount(0);

    // Mid-run: once a job is done, Cancel (after the confirmation).
    await expect(
      view.locator('.jp-JwstLab-runNode[data-status="succeeded"]').first()
    ).toBeVisible({ timeout: 240000 });
    await expect(view).toHaveAttribute('data-status', 'running');
    await action(view, 'Cancel').click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText('Cancel the run?');
    await confirm.getByRole('button', { name: 'Cancel the run' }).click();
    await expect(view).toHaveAttribute('data-status', 'cancelled', {
      timeout: 60000
    });
    await expect(view.locator('.jp-JwstLab-runStatus')).toHaveText('Cancelled');
    await expect(
      page.locator('.Toastify__toast', { hasText: 'Run cancelled' })
    ).toBeVisible({ timeout: 30000 });
    await expect(action(view, 'Cancel')).toHaveCount(0);
    await expect(action(view, 'Resume')).toBeEnabled();
    await expect(
      view.locator(
        '.jp-JwstLab-runNode[data-status="running"], .jp-JwstLab-runNode[data-status="queued"]'
      )
    ).toHaveCount(0);
    await page.screenshot({
      path: 'test-results/screenshots/run-cancelled-light.png'
    });

    // The server agrees: the run cancelled, none of its jobs running or queued.
    const cancelled = await getRun(page.request, runId);
    expect(cancelled.status).toBe('cancelled');
    const statuses = cancelled.jobs.map(job => job.status);
    expect(statuses).not.toContain('running');
    expect(statuses).not.toContain('queued');
    expect(statuses).toContain('cancelled');
    const children = await childStatuses(page.request, runId);
    expect(children.length).toBeGreaterThan(0);
    expect(children).not.toContain('running');
    expect(children).not.toContain('queued');
    const done = cancelled.jobs.filter(job => job.status === 'succeeded');
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(9);

    // So does the Jobs panel: the run cancelled, none of its jobs running.
    await jobs.lab.openPanel('jobs');
    const row = jobs.lab
      .panel('jobs')
      .locator(`.jp-JwstLab-runItem[data-run-id="${runId}"]`);
    await expect(row).toHaveAttribute('data-status', 'cancelled');
    await row.locator('.jp-JwstLab-runItemToggle').click();
    const rowJobs = row.locator('.jp-JwstLab-runChildren .jp-JwstLab-jobItem');
    await expect(rowJobs.first()).toBeVisible();
    await expect(
      row.locator(
        '.jp-JwstLab-jobItem[data-status="running"], .jp-JwstLab-jobItem[data-status="queued"]'
      )
    ).toHaveCount(0);
    await expect(
      row.locator('.jp-JwstLab-jobItem[data-status="cancelled"]').first()
    ).toBeVisible();

    // Resume: it runs again what is not complete, to the end.
    await runs.showTab(runId);
    await action(view, 'Resume').click();
    await runs.expectSucceeded(view, 9, 480000);
    // The jobs done before the cancel are reused, and say so.
    const reused = view.locator('.jp-JwstLab-runNode[data-reused="true"]');
    await expect(reused).toHaveCount(done.length);
    await expect(view.locator('.jp-JwstLab-runReused')).toHaveText(
      done.length === 1 ? '1 job reused' : `${done.length} jobs reused`
    );
    await expect(action(view, 'Cancel')).toHaveCount(0);
    await page.screenshot({
      path: 'test-results/screenshots/run-resumed-light.png'
    });

    const resumed = await getRun(page.request, runId);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.progress.jobs_done).toBe(9);
    const doneBefore = new Map(done.map(job => [job.key, job.id]));
    for (const job of resumed.jobs) {
      expect(job.status).toBe('succeeded');
      expect(job.reused).toBe(doneBefore.has(job.key));
      if (job.reused) {
        expect(job.id).toBe(doneBefore.get(job.key));
      }
    }
    // The graph keeps every edge: a job reads the outputs of reused jobs too.
    const ids = new Set(resumed.jobs.map(job => job.id));
    const byPipeline = (name: string) =>
      resumed.jobs.filter(job => job.pipeline === name);
    for (const job of byPipeline('calwebb_image2')) {
      expect(job.depends_on).toHaveLength(1);
    }
    expect(byPipeline('calwebb_image3')[0].depends_on).toHaveLength(4);
    for (const job of resumed.jobs) {
      expect(job.depends_on.every(id => ids.has(id))).toBe(true);
    }
    await expect(view.locator('.jp-JwstLab-runGraphEdges path')).toHaveCount(8);
    const after = await childStatuses(page.request, runId);
    expect(after).not.toContain('running');
    expect(after).not.toContain('queued');

    // The Jobs panel: nine jobs, all succeeded; the cancelled ones of the
    // first attempt listed apart, below them.
    await jobs.lab.openPanel('jobs');
    await expect(row).toHaveAttribute('data-status', 'succeeded');
    await expect(row).toHaveAttribute('data-children', '9');
    const current = row.locator(
      '.jp-JwstLab-runChildren .jp-JwstLab-jobItem:not([data-earlier])'
    );
    await expect(current).toHaveCount(9);
    await expect(
      current.and(page.locator('[data-status="succeeded"]'))
    ).toHaveCount(9);
    const earlier = row.locator('.jp-JwstLab-jobItem[data-earlier="true"]');
    await expect(earlier.first()).toBeVisible();
    expect(
      await earlier.evaluateAll(items =>
        items.map(item => (item as HTMLElement).dataset.status)
      )
    ).not.toContain('succeeded');
    await page.screenshot({
      path: 'test-results/screenshots/run-resumed-jobs-light.png'
    });

    // The outputs: the run's folder in the file browser, its image opens.
    await runs.showTab(runId);
    await view
      .getByRole('button', { name: /^Show .* in the file browser$/ })
      .click();
    const stage3 = jobs.fileItem('stage3');
    await expect(stage3).toBeVisible({ timeout: 30000 });
    await expect(jobs.fileItem('run.json')).toBeVisible();
    await stage3.dblclick();
    const i2d = page.locator('.jp-DirListing-item[data-file-type="jwst-i2d"]');
    await expect(i2d).toHaveCount(1, { timeout: 30000 });
    await i2d.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Quick Look' }).click();
    await expect(
      page.locator('.jp-JwstLab-quickLookContent .jp-JwstLab-quickLookImage')
    ).toBeVisible({ timeout: 60000 });
  });
});
