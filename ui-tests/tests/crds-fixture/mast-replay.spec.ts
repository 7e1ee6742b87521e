import { expect, test } from '@jupyterlab/galata';

import { cleanUpAfterEach, watchForErrors } from '../../helpers/cleanUp';
import { JwstLabHelper } from '../../helpers/JwstLabHelper';

/**
 * The MAST results document on a search that MAST answers with many rows
 * (issue 14, feature 1: "≥ 15 rows visible at 1600×1000"). The `crds-fixture`
 * server's MAST is the replay server of the Python tests on loopback
 * (`tests/mast_replay.py`): the server searches it through astroquery as it
 * does real MAST (name resolver, `Mast.Caom.Filtered.Position`, paging), and
 * it answers from the recorded responses and the synthetic JWST answers,
 * which hold 60 observations of NGC 628 within 12′.
 */
const TARGET = 'NGC 628';
const ROW_HEIGHT = 24;

test.use({ viewport: { width: 1600, height: 1000 } });

let problems: string[] = [];
test.beforeEach(({ page }) => {
  problems = [];
  // The replay holds products for a few observations only; for the others the
  // server answers 404 ("MAST lists no products"), which the browser logs.
  watchForErrors(
    page,
    problems,
    message =>
      message.text().startsWith('Failed to load resource') &&
      /\/jwst-lab\/mast\/observations\/\d+\/products/.test(
        message.location().url
      )
  );
});
cleanUpAfterEach({ problems: () => problems });

test.describe('MAST results from a MAST replay', () => {
  test('a search of 60 observations shows at least 15 rows at 1600×1000 and all their footprints', async ({
    page
  }) => {
    test.setTimeout(120000);
    const lab = new JwstLabHelper(page);
    const panel = await lab.openPanel('mast');
    const query = panel.getByLabel('Target name or coordinates');
    await query.fill(TARGET);
    await panel.locator('input.jp-JwstLab-mastRadius').fill('12');
    const answered = page.waitForResponse(
      response =>
        response.url().includes('/jwst-lab/mast/observations?') &&
        response.request().method() === 'GET'
    );
    await query.press('Enter');
    const answer = await answered;
    expect(answer.status()).toBe(200);
    const body = await answer.json();
    // MAST (the replay) answered, through astroquery: not the local archive.
    expect(body.source).toBe('mast');
    expect(body.total).toBeGreaterThanOrEqual(20);
    expect(body.rows).toHaveLength(body.total);
    const total: number = body.total;

    const results = page.locator('#jwst-lab-mast-results');
    const table = results.locator('.jp-JwstLab-mastTable');
    const rows = table.locator('.jp-JwstLab-vtableRow');
    await expect(rows.first()).toBeVisible({ timeout: 60000 });
    await expect(panel.locator('.jp-JwstLab-mastSummaryCount')).toHaveText(
      `${total} results`
    );

    // Rows whose whole height is on the screen: inside the grid's scrolled
    // area, below its sticky header rows, and inside the window.
    const visibleRows = () =>
      table.evaluate(node => {
        const head = (
          node.querySelector('thead') as HTMLElement
        ).getBoundingClientRect().bottom;
        const box = node.getBoundingClientRect();
        const bottom = Math.min(
          box.top + node.clientHeight,
          window.innerHeight
        );
        return Array.from(node.querySelectorAll('.jp-JwstLab-vtableRow'), row =>
          row.getBoundingClientRect()
        ).filter(rect => rect.top >= head - 0.5 && rect.bottom <= bottom + 0.5)
          .length;
      });
    const shown = await visibleRows();
    expect(shown).toBeGreaterThanOrEqual(15);
    expect(shown).toBeLessThan(total);
    expect(Math.round((await rows.first().boundingBox())?.height ?? 0)).toBe(
      ROW_HEIGHT
    );

    // Scrolled to the end, the last rows come into view, as many as before.
    await table.evaluate(node => {
      node.scrollTop = node.scrollHeight;
    });
    await expect.poll(visibleRows).toBeGreaterThanOrEqual(15);
    const last = await table.evaluate(node => {
      const all = node.querySelectorAll('.jp-JwstLab-vtableRow');
      return all[all.length - 1].getAttribute('aria-rowindex');
    });
    expect(Number(last)).toBeGreaterThanOrEqual(total);
    await table.evaluate(node => {
      node.scrollTop = 0;
    });

    // Every observation has its footprint, inside the plot with the cone.
    const sky = results.locator('svg.jp-JwstLab-footprints');
    const prints = sky.locator('path.jp-JwstLab-footprint');
    await expect(prints).toHaveCount(total);
    await expect(sky.locator('.jp-JwstLab-footprintCone')).toHaveCount(1);
    const outside = await sky.evaluate(node => {
      const plot = (
        node.querySelector('.jp-JwstLab-footprintPlot') as SVGGraphicsElement
      ).getBoundingClientRect();
      return Array.from(
        node.querySelectorAll('path.jp-JwstLab-footprint'),
        path => path.getBoundingClientRect()
      ).filter(
        rect =>
          rect.width === 0 ||
          rect.left < plot.left - 0.5 ||
          rect.right > plot.right + 0.5 ||
          rect.top < plot.top - 0.5 ||
          rect.bottom > plot.bottom + 0.5
      ).length;
    });
    expect(outside).toBe(0);

    // A footprint clicked selects its row, which the grid brings into view.
    const keys = await prints.evaluateAll(nodes =>
      nodes.map(node => node.getAttribute('data-key') ?? '')
    );
    const sorted = await rows.evaluateAll(nodes =>
      nodes.map(node => node.getAttribute('data-key') ?? '')
    );
    // One of the rows out of view at the start.
    const target = keys.find(key => !sorted.slice(0, 15).includes(key))!;
    expect(target).toBeTruthy();
    await sky.locator(`path[data-key="${target}"]`).dispatchEvent('click');
    const row = table.locator(`.jp-JwstLab-vtableRow[data-key="${target}"]`);
    await expect(row).toHaveAttribute('aria-selected', 'true');
    await expect(row).toBeInViewport();
    await expect(sky.locator('path[data-selected="true"]')).toHaveAttribute(
      'data-key',
      target
    );
    await expect(
      results.locator('.jp-JwstLab-mastProducts .jp-JwstLab-sectionTitle')
    ).toBeVisible();

    // Among 60 footprints, fit to the selected one: it is highlighted and large.
    await results.locator('button.jp-JwstLab-footprintFitSelection').click();
    const plot = (await sky
      .locator('.jp-JwstLab-footprintPlot')
      .boundingBox())!;
    await expect
      .poll(
        async () =>
          (await sky.locator(`path[data-key="${target}"]`).boundingBox())
            ?.width ?? 0
      )
      .toBeGreaterThan(0.5 * plot.width);
    await expect(sky.locator(`path[data-key="${target}"]`)).toHaveClass(
      /jp-mod-selected/
    );

    await results.screenshot({
      path: 'test-results/screenshots/mast-results-many-light.png'
    });
    await results.locator('button.jp-JwstLab-footprintFitAll').click();
    await expect(results.locator('.jp-JwstLab-footprintScale')).toHaveAttribute(
      'data-zoom',
      '1.000'
    );
  });
});
