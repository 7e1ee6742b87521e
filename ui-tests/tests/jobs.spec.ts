import { expect, test } from '@jupyterlab/galata';

import { cleanUpAfterEach } from '../helpers/cleanUp';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

// All tests share one server and its job database: remove what a test created.
const createdJobs = cleanUpAfterEach().jobs;

test.describe('jwst-lab jobs list', () => {
  test('a job submitted to the server appears live and ends failed with its error', async ({
    page,
    tmpPath
  }) => {
    const lab = new JwstLabHelper(page);
    const panel = await lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toHaveText('live');

    // Not a FITS file: the real pipeline runs in its own process and fails.
    const input = `${tmpPath}/jw00001001001_01101_00001_mirimage_rate.fits`;
    await page.contents.uploadContent('not a FITS file', 'text', input);
    const response = await page.request.post('/jwst-lab/jobs', {
      data: { pipeline: 'calwebb_image2', input }
    });
    expect(response.status()).toBe(201);
    const job = await response.json();
    createdJobs.push(job.id);

    const row = panel.locator(`.jp-JwstLab-jobItem[data-job-id="${job.id}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText(`jw00001 image2 · ${job.id.slice(0, 4)}`);
    await expect(row).toHaveAttribute('data-status', 'failed', {
      timeout: 60000
    });
    await expect(row).toContainText('not appear to be a valid FITS file');
    await expect(panel.locator('.jp-JwstLab-emptyState')).toHaveCount(0);

    await panel.getByLabel('Filter jobs by status').selectOption('succeeded');
    await expect(row).toHaveCount(0);
    await expect(panel.locator('.jp-JwstLab-emptyState')).toContainText(
      'No succeeded jobs.'
    );
    await panel.getByLabel('Filter jobs by status').selectOption('failed');
    await expect(row).toBeVisible();

    await panel.screenshot({
      path: 'test-results/screenshots/jobs-failed.png'
    });
  });
});
