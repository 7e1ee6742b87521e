import { expect, test } from '@jupyterlab/galata';
import { JwstLabHelper, PANELS } from '../helpers/JwstLabHelper';

test.describe('jwst-lab sidebar panels', () => {
  test('the three panels have their own sidebar tabs', async ({ page }) => {
    const lab = new JwstLabHelper(page);
    for (const name of Object.keys(PANELS) as (keyof typeof PANELS)[]) {
      await expect(lab.tab(name)).toBeVisible();
    }
  });

  test('one events websocket serves every panel', async ({ page }) => {
    const sockets: string[] = [];
    page.on('websocket', socket => {
      if (socket.url().includes('/jwst-lab/events')) {
        sockets.push(socket.url());
      }
    });
    await page.evaluate(() => window.location.reload());
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    const lab = new JwstLabHelper(page);
    await lab.openPanel('jobs');
    await lab.openPanel('mast');
    await expect.poll(() => sockets.length).toBe(1);
    // The panels are open and subscribed: no second socket follows.
    await lab.openPanel('jobs');
    expect(sockets).toHaveLength(1);
  });

  test('MAST panel: title, empty state and a search field that understands targets and coordinates', async ({
    page
  }) => {
    const lab = new JwstLabHelper(page);
    const panel = await lab.openPanel('mast');
    await expect(panel.locator('.jp-JwstLab-panelTitle')).toHaveText(
      'MAST Search'
    );
    await expect(panel.locator('.jp-JwstLab-emptyState')).toContainText(
      'Search the MAST archive by target name or coordinates.'
    );

    const query = panel.getByLabel('Target name or coordinates');
    const hint = panel.locator('.jp-JwstLab-mastQueryHint');
    await query.fill('NGC 3132');
    await expect(hint).toContainText('Target name: NGC 3132');
    await query.fill('05:35:17.3 -05:23:28');
    await expect(hint).toContainText('RA 83.8221');
    await query.fill('83.82 95');
    await expect(hint).toContainText('Dec');
    await expect(hint).not.toContainText('Coordinates:');

    await panel.screenshot({ path: 'test-results/screenshots/mast-panel.png' });
  });

  test('CRDS panel: title and a status line filled from the server', async ({
    page
  }) => {
    const lab = new JwstLabHelper(page);
    const panel = await lab.openPanel('crds');
    await expect(panel.locator('.jp-JwstLab-panelTitle')).toHaveText(
      'CRDS References'
    );
    const status = panel.locator('.jp-JwstLab-crdsStatus');
    // The demo server (jupyter_server_test_config.py) runs CRDS serverless on the demo cache.
    await expect(status).toContainText('serverless');
    await expect(status).not.toContainText('Checking CRDS configuration');
    // The demo cache's two contexts are listed, the newer one operational.
    await expect(
      panel
        .locator('.jp-JwstLab-crdsContext')
        .first()
        .locator('.jp-JwstLab-crdsBadge')
    ).toHaveText('operational');

    await panel.screenshot({ path: 'test-results/screenshots/crds-panel.png' });
  });

  test('Jobs panel: title, empty state and a status filter that survives a reload', async ({
    page
  }) => {
    const lab = new JwstLabHelper(page);
    let panel = await lab.openPanel('jobs');
    await expect(panel.locator('.jp-JwstLab-panelTitle')).toHaveText(
      'Pipeline Jobs'
    );
    const empty = panel.locator('.jp-JwstLab-emptyState');
    await expect(empty).toContainText('No jobs yet.');

    const filter = panel.getByLabel('Filter jobs by status');
    // JupyterLab saves workspace state in batches: wait for the save before reloading.
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces/') &&
        (request.postData() ?? '').includes('jwst-lab:jobs:status-filter')
    );
    await filter.selectOption('failed');
    await saved;
    await expect(empty).toContainText('No failed jobs.');
    await expect(panel.locator('.jp-JwstLab-eventsState')).toBeVisible();

    await page.reload({ waitForIsReady: true });
    panel = await lab.openPanel('jobs');
    await expect(panel.getByLabel('Filter jobs by status')).toHaveValue(
      'failed'
    );
    await expect(panel.locator('.jp-JwstLab-emptyState')).toContainText(
      'No failed jobs.'
    );

    await panel.screenshot({ path: 'test-results/screenshots/jobs-panel.png' });
  });

  test('palette commands open each panel', async ({ page }) => {
    const lab = new JwstLabHelper(page);
    const commands: [string, keyof typeof PANELS][] = [
      ['Open CRDS References', 'crds'],
      ['Open Pipeline Jobs', 'jobs'],
      ['Open MAST Search', 'mast']
    ];
    for (const [label, name] of commands) {
      await lab.runFromPalette(label);
      await expect(lab.panel(name)).toBeVisible();
    }
  });

  test('panels follow the dark theme', async ({ page }) => {
    const lab = new JwstLabHelper(page);
    await page.theme.setDarkTheme();
    for (const name of Object.keys(PANELS) as (keyof typeof PANELS)[]) {
      const panel = await lab.openPanel(name);
      const background = await panel.evaluate(
        element => getComputedStyle(element).backgroundColor
      );
      const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
      // a dark background: every channel well below mid-grey
      expect(Math.max(r, g, b)).toBeLessThan(100);
      await panel.screenshot({
        path: `test-results/screenshots/${name}-panel-dark.png`
      });
    }
  });
});
