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
      'Search the MAST archive by target name or coordinates'
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

/** WCAG contrast ratio of two CSS colours (`rgb()`, `rgba()` or `color(srgb …)`). */
function contrast(foreground: string, background: string): number {
  const channels = (css: string): number[] => {
    const numbers = (css.match(/[\d.]+/g) ?? []).map(Number);
    // color(srgb r g b) is in 0..1; rgb(r, g, b) in 0..255
    return css.startsWith('color(')
      ? numbers.slice(0, 3)
      : numbers.slice(0, 3).map(value => value / 255);
  };
  const luminance = (css: string): number => {
    const [r, g, b] = channels(css).map(c =>
      c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    );
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort(
    (a, b) => b - a
  );
  return (light + 0.05) / (dark + 0.05);
}

test.describe('CRDS panel and views at sidebar widths (issue 14, defects 10 and 11)', () => {
  test.use({ viewport: { width: 1600, height: 1000 } });

  test('the operational badge is readable and the history dates are whole, light and dark, at 250 px', async ({
    page
  }) => {
    const lab = new JwstLabHelper(page);
    for (const theme of ['light', 'dark']) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      }
      const panel = await lab.openPanel('crds');
      await page.sidebar.setWidth(250, 'left');
      const badge = panel.locator(
        '.jp-JwstLab-crdsBadge[data-kind="operational"]'
      );
      await expect(badge).toBeVisible({ timeout: 30000 });
      const colours = await badge.evaluate(element => {
        const style = getComputedStyle(element);
        return [style.color, style.backgroundColor];
      });
      expect(
        contrast(colours[0], colours[1]),
        `${theme}: ${colours.join(' on ')}`
      ).toBeGreaterThanOrEqual(4.5);

      const box = (await panel.boundingBox())!;
      const dates = panel.locator('time.jp-JwstLab-crdsDate');
      expect(await dates.count()).toBeGreaterThan(0);
      for (const date of await dates.all()) {
        await expect(date).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
        const whole = await date.evaluate(
          element => element.scrollWidth <= element.clientWidth + 1
        );
        const edge = (await date.boundingBox())!;
        expect(whole, `${theme}: a date is cut`).toBe(true);
        expect(edge.x + edge.width).toBeLessThanOrEqual(box.x + box.width);
      }
    }
  });

  test('best references: N/A hidden behind a count, sizes filled, a bad context named with valid ones to pick', async ({
    page
  }) => {
    test.setTimeout(120000);
    const path = 'uncal/jw09999001001_02101_00001_mirimage_uncal.fits';
    await page.evaluate(
      path =>
        (window as any).jupyterapp.commands
          .execute('jwst-lab:crds-bestrefs', {
            path
          })
          .then(() => undefined),
      path
    );
    const view = page.locator(`.jp-JwstLab-crdsBestrefs[data-path="${path}"]`);
    const table = view.locator('.jp-JwstLab-crdsBestrefsTable');
    await expect(table).toBeVisible({ timeout: 90000 });
    // No N/A row until asked for; the toggle counts them.
    await expect(
      view.locator('.jp-JwstLab-crdsBestref[data-status="n/a"]')
    ).toHaveCount(0);
    const toggle = view.locator('.jp-JwstLab-crdsShowNa');
    await expect(toggle).toHaveText(/^Show N\/A \(\d+\)$/);
    const na = Number((await toggle.textContent())!.match(/\d+/)![0]);
    await toggle.locator('input').check();
    await expect(
      view.locator('.jp-JwstLab-crdsBestref[data-status="n/a"]')
    ).toHaveCount(na);
    await toggle.locator('input').uncheck();
    // The demo's references are in its cache: every found one has a size.
    const found = view.locator('.jp-JwstLab-crdsBestref[data-status="found"]');
    expect(await found.count()).toBeGreaterThan(0);
    for (const row of await found.all()) {
      await expect(row.locator('td').last()).toHaveText(
        /^\d[\d.]* (B|KB|MB|GB|kB|KiB|MiB)$/
      );
    }

    // A context the cache does not have: the title stays, the error names it,
    // and the choices are valid contexts (no Retry of the same request).
    await view
      .locator('.jp-JwstLab-crdsBestrefsContext')
      .fill('jwst_9998.pmap');
    await view.locator('.jp-JwstLab-crdsBestrefsContext').press('Enter');
    const problem = view.locator('.jp-JwstLab-crdsContextProblem');
    await expect(problem).toContainText('jwst_9998.pmap', { timeout: 30000 });
    await expect(view.locator('h2')).toHaveText(path);
    await expect(view.locator('button.jp-JwstLab-retry')).toHaveCount(0);
    const pick = problem.locator('.jp-JwstLab-crdsPickContext');
    await expect(pick.locator('option[value="jwst_9000.pmap"]')).toHaveCount(1);
    await pick.selectOption('jwst_9000.pmap');
    await expect(view).toHaveAttribute('data-context', 'jwst_9000.pmap', {
      timeout: 30000
    });
    await expect(table).toBeVisible();
  });
});
