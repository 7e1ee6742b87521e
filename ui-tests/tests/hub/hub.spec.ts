import { expect, test as galataTest } from '@jupyterlab/galata';

import { JobsHelper } from '../../helpers/JobsHelper';

/**
 * JupyterLab with jwst-lab under a real JupyterHub (deploy/jupyterhub), as
 * alice, so under the base URL /user/alice/: the three panels load, a MAST
 * search of her local archive, a pipeline job on her copy of the demo, a CRDS
 * view of the shared cache.
 */
const RATE = 'jw09999001001_02101_00001_mirimage_rate.fits';

/**
 * Galata makes a folder per test through `/api/contents` at the origin's root,
 * which under a hub is the hub's, not alice's server, then opens it: her tests
 * use no such folder and open JupyterLab at her server's root themselves.
 */
const test = galataTest.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures from the pattern
  tmpPath: async ({}, use) => {
    await use('');
  }
});
test.use({ autoGoto: false });

test.describe('jwst-lab through JupyterHub', () => {
  test('the panels, a MAST search, a pipeline job and the CRDS view work under /user/alice/', async ({
    page,
    baseURL
  }) => {
    test.setTimeout(300000);
    await page.goto();
    expect(page.url()).toContain('/user/alice/lab');
    const jobs = new JobsHelper(page);
    const lab = jobs.lab;

    // CRDS: the shared cache's contexts, the newer one operational.
    const crds = await lab.openPanel('crds');
    await expect(crds.locator('.jp-JwstLab-crdsStatus')).toContainText(
      'serverless'
    );
    await expect(
      crds
        .locator('.jp-JwstLab-crdsContext')
        .first()
        .locator('.jp-JwstLab-crdsBadge')
    ).toHaveText('operational');

    // MAST: the demo target in her local archive, asked for under her base URL.
    const mast = await lab.openPanel('mast');
    const searched = page.waitForResponse(
      response =>
        response.url().startsWith(`${baseURL}/jwst-lab/mast/observations`) &&
        response.status() === 200
    );
    const query = mast.getByLabel('Target name or coordinates');
    await query.fill('DEMO-FIELD');
    await query.press('Enter');
    const answer = await (await searched).json();
    expect(answer.total).toBeGreaterThan(0);
    await expect(page.getByText('DEMO-FIELD').first()).toBeVisible({
      timeout: 60000
    });

    // A Level 2 job on her copy of the demo, followed live in the Jobs panel.
    const panel = await lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toHaveText('live');
    await jobs.openFolder('rate');
    const dialog = await jobs.runFromContextMenu(RATE, 'Run Image2/Spec2…');
    await expect(dialog.getByLabel('Pipeline', { exact: true })).toHaveValue(
      'calwebb_image2',
      { timeout: 60000 }
    );
    await dialog.locator('.jp-JwstLab-runSubmit').click();
    await expect(dialog).toHaveCount(0, { timeout: 30000 });
    const id = await jobs.shownJobId();
    await expect(jobs.row(id)).toBeVisible();
    await expect(jobs.detail(id)).toHaveAttribute('data-status', 'succeeded', {
      timeout: 240000
    });
    await page.screenshot({ path: 'test-results/screenshots/hub-job.png' });
  });
});
