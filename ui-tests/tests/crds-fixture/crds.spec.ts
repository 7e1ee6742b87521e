import { expect, test } from '@jupyterlab/galata';

import { JwstLabHelper } from '../../helpers/JwstLabHelper';

/**
 * The CRDS browser on the real JWST CRDS cache of ../shared/fixtures (contexts up
 * to jwst_0541.pmap, its real history), served by the `crds-fixture` project.
 */

const DEMO_UNCAL = 'jw09999001001_02101_00001_mirimage_uncal.fits';

test.describe('CRDS browser on the real cache', () => {
  test('history with jwst_0541.pmap operational; NIRSpec dark rules; diff 0540 → 0541', async ({
    page
  }) => {
    test.setTimeout(180000);
    const lab = new JwstLabHelper(page);
    const panel = await lab.openPanel('crds');

    const status = panel.locator('.jp-JwstLab-crdsStatus');
    await expect(status).toHaveAttribute('data-tone', 'ok', { timeout: 30000 });
    await expect(status).toContainText('jwst_0541.pmap (operational)');

    const newest = panel.locator(
      '.jp-JwstLab-crdsContext[data-context="jwst_0541.pmap"]'
    );
    await expect(newest).toBeVisible({ timeout: 30000 });
    await expect(newest.locator('.jp-JwstLab-crdsBadge')).toHaveText(
      'operational'
    );
    await expect(newest.locator('time')).toHaveText('2019-07-30');
    await expect(panel.locator('.jp-JwstLab-crdsSectionTitle')).toContainText(
      '150 in the history'
    );
    await newest.locator('.jp-JwstLab-crdsExpand').click();
    await expect(newest).toContainText('DARK, READNOISE, REFPIX and SUPERBIAS');

    // The tree of jwst_0541.pmap: NIRSpec → dark → its rules.
    await newest.locator('.jp-JwstLab-crdsContextOpen').click();
    const tree = page.locator(
      '.jp-JwstLab-crdsTree[data-context="jwst_0541.pmap"]'
    );
    await expect(tree).toBeVisible({ timeout: 60000 });
    await expect(tree.locator('.jp-JwstLab-crdsViewHeader')).toContainText(
      '6 instruments, 117 reference mappings, 1,794 reference files'
    );
    await tree.locator('[data-instrument="nirspec"]').click();
    await tree.locator('.jp-JwstLab-crdsType[data-reftype="dark"]').click();
    const rules = tree.locator(
      '.jp-JwstLab-crdsRules[data-mapping="jwst_nirspec_dark_0029.rmap"]'
    );
    await expect(rules).toBeVisible({ timeout: 30000 });
    await expect(rules.locator('.jp-JwstLab-crdsHeader')).toContainText(
      'jwst_nirspec_dark_0028.rmap'
    );
    await expect(rules.locator('.jp-JwstLab-crdsCount')).toContainText(
      'of 89 rules'
    );
    await rules.locator('.jp-JwstLab-crdsRulesSearch').fill('NRSRAPIDD1');
    const rows = rules.locator(
      '.jp-JwstLab-crdsRulesTable tbody tr[aria-rowindex]'
    );
    await expect(rows.first()).toContainText('NRSRAPIDD1');
    await page.screenshot({ path: 'test-results/screenshots/crds-tree.png' });

    // Diff 0540 → 0541: tick both, compare.
    await panel
      .locator('[data-context="jwst_0541.pmap"] .jp-JwstLab-crdsContextPick')
      .check();
    await panel
      .locator('[data-context="jwst_0540.pmap"] .jp-JwstLab-crdsContextPick')
      .check();
    const compare = panel.locator('.jp-JwstLab-crdsCompare');
    await expect(compare).toHaveText(
      'Compare jwst_0540.pmap and jwst_0541.pmap'
    );
    // JupyterLab saves the layout in batches: wait for the save that has the diff tab.
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces/') &&
        (request.postData() ?? '').includes('jwst-lab-crds-diff')
    );
    await compare.click();
    const diff = page.locator(
      '.jp-JwstLab-crdsDiff[data-old="jwst_0540.pmap"][data-new="jwst_0541.pmap"]'
    );
    await expect(diff).toBeVisible({ timeout: 60000 });
    await expect(diff.locator('.jp-JwstLab-crdsDiffAffected')).toContainText(
      'NIRSPEC: dark, readnoise, refpix, superbias'
    );
    await expect(diff.locator('.jp-JwstLab-crdsDiffMappings')).toContainText(
      'jwst_nirspec_dark_0028.rmap → jwst_nirspec_dark_0029.rmap'
    );
    await page.screenshot({ path: 'test-results/screenshots/crds-diff.png' });

    // The tree and the diff come back after a reload.
    await saved;
    await page.evaluate(() => window.location.reload());
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(
      page.locator('.jp-JwstLab-crdsDiffAffected').first()
    ).toContainText('NIRSPEC: dark, readnoise, refpix, superbias', {
      timeout: 60000
    });
    await expect(
      page.locator('.lm-DockPanel .lm-TabBar-tab', {
        hasText: 'jwst_0541.pmap'
      })
    ).toHaveCount(2);
  });

  test('right-click a demo FITS file → Best references…', async ({ page }) => {
    test.setTimeout(240000);
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openHomeDirectory();
    await page.filebrowser.openDirectory('uncal');
    const item = page
      .locator('.jp-DirListing-item', {
        has: page.locator('.jp-DirListing-itemName', { hasText: DEMO_UNCAL })
      })
      .first();
    await expect(item).toBeVisible();
    await item.click({ button: 'right' });
    const entry = page.locator('.lm-Menu-item', {
      hasText: 'Best References…'
    });
    await expect(entry).toBeVisible();
    await entry.click();

    const table = page.locator(
      `.jp-JwstLab-crdsBestrefs[data-path="uncal/${DEMO_UNCAL}"]`
    );
    // The first request starts the worker and imports jwst there (not in the server).
    await expect(table.locator('.jp-JwstLab-crdsBestrefsTable')).toBeVisible({
      timeout: 180000
    });
    await expect(
      table.locator('.jp-JwstLab-crdsBestrefsSummary')
    ).toContainText('MIRI at jwst_0541.pmap (operational)');
    await expect(
      table.locator('.jp-JwstLab-crdsBestrefsSummary')
    ).toContainText('still to fetch: unknown (offline)');
    const found = table.locator('.jp-JwstLab-crdsBestref[data-status="found"]');
    await expect(found.first()).toBeVisible();
    await expect(
      table.locator('.jp-JwstLab-crdsBestref[data-reftype="gain"]')
    ).toContainText('jwst_miri_gain_0008.fits');
    // The synthetic demo readout pattern is not covered by the real rules: said so.
    await expect(
      table.locator('.jp-JwstLab-crdsBestref[data-reftype="readnoise"]')
    ).toHaveAttribute('data-status', 'no_match');
    await page.screenshot({
      path: 'test-results/screenshots/crds-bestrefs.png'
    });
  });
});

test.describe('CRDS key columns at sidebar widths (issue 14, defect 11)', () => {
  test.use({ viewport: { width: 1600, height: 1000 } });

  test("the rules' REFERENCE and the diff's Change stay in view with a 250 px and a 600 px sidebar", async ({
    page
  }) => {
    test.setTimeout(180000);
    const lab = new JwstLabHelper(page);
    await lab.openPanel('crds');
    const execute = (command: string, args: Record<string, string>) =>
      page.evaluate(
        ({ command, args }) =>
          (window as any).jupyterapp.commands
            .execute(command, args)
            .then(() => undefined),
        { command, args }
      );
    /** Whether `cell` lies inside the visible part of its scrolling table. */
    const inView = async (table: string, label: string) => {
      const scroller = page.locator(`.lm-DockPanel ${table}`).first();
      const header = scroller.locator('th', { hasText: label }).first();
      await expect(header).toBeVisible({ timeout: 60000 });
      const outer = (await scroller.boundingBox())!;
      const cell = (await header.boundingBox())!;
      return (
        cell.x >= outer.x - 1 &&
        cell.x + cell.width <= outer.x + outer.width + 1
      );
    };
    for (const width of [250, 600]) {
      await page.sidebar.setWidth(width, 'left');
      await execute('jwst-lab:crds-open-context', {
        context: 'jwst_0541.pmap',
        instrument: 'nirspec',
        reftype: 'dark'
      });
      expect(await inView('.jp-JwstLab-crdsRulesTable', 'REFERENCE')).toBe(
        true
      );
      await execute('jwst-lab:crds-diff', {
        old: 'jwst_0540.pmap',
        new: 'jwst_0541.pmap'
      });
      expect(await inView('.jp-JwstLab-crdsDiffTable', 'Change')).toBe(true);
    }
  });
});
