import { expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

/**
 * The sky footprint view of the MAST results document (issue 14, feature 1):
 * zoom (buttons, wheel, keys), pan (drag, arrow keys), "Fit to all" and "Fit
 * to selection", with RA growing to the left and the selection highlighted
 * both ways at every zoom. On the demo's five real `S_REGION`s.
 */
const TARGET = 'DEMO-FIELD';
const FIRST = 'jw09999001001_02101_00001_mirimage';
const SECOND = 'jw09999001001_02101_00002_mirimage';

test.use({ viewport: { width: 1600, height: 1000 } });

let problems: string[] = [];
test.beforeEach(({ page }) => {
  problems = [];
  watchForErrors(page, problems);
});
cleanUpAfterEach({ problems: () => problems });

/** The view's half-width (degrees) and centre, from the SVG's data attributes. */
async function viewOf(
  sky: Locator
): Promise<{ half: number; ra: number; dec: number }> {
  return sky.evaluate(node => ({
    half: Number(node.getAttribute('data-half')),
    ra: Number(node.getAttribute('data-centre-ra')),
    dec: Number(node.getAttribute('data-centre-dec'))
  }));
}

/** RA tick labels as drawn: RA (degrees) and x on the screen. */
async function raTicks(sky: Locator): Promise<{ ra: number; x: number }[]> {
  return sky
    .locator('.jp-JwstLab-footprintTick[data-axis="ra"] text')
    .evaluateAll(nodes =>
      nodes.map(node => ({
        ra: parseFloat(node.textContent ?? ''),
        x: node.getBoundingClientRect().x
      }))
    );
}

/** RA grows to the left: between any two labels, the larger RA is further left. */
function expectRaToTheLeft(ticks: { ra: number; x: number }[]): void {
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < ticks.length; i++) {
    expect(Math.sign(ticks[i].x - ticks[i - 1].x)).toBe(
      -Math.sign(ticks[i].ra - ticks[i - 1].ra)
    );
  }
}

test.describe('MAST footprint view', () => {
  test('zooms, pans and fits with buttons, wheel, drag and keys; RA to the left; selection both ways', async ({
    page
  }) => {
    test.setTimeout(120000);
    const results = await new JwstLabHelper(page).searchMast(TARGET);
    const sky = results.locator('svg.jp-JwstLab-footprints');
    const tools = results.locator('.jp-JwstLab-footprintTools');
    await expect(sky.locator('path.jp-JwstLab-footprint')).toHaveCount(5);
    const fit = await viewOf(sky);
    expect(fit.half).toBeGreaterThan(0);
    await expect(tools.locator('.jp-JwstLab-footprintScale')).toHaveAttribute(
      'data-zoom',
      '1.000'
    );
    expectRaToTheLeft(await raTicks(sky));
    await expect(
      tools.locator('button.jp-JwstLab-footprintFitSelection')
    ).toBeDisabled();

    // Buttons: twice as close, then back.
    await tools.locator('button.jp-JwstLab-footprintZoomIn').click();
    await expect
      .poll(async () => (await viewOf(sky)).half)
      .toBeCloseTo(fit.half / 2, 6);
    await expect(tools.locator('.jp-JwstLab-footprintScale')).toHaveAttribute(
      'data-zoom',
      '2.000'
    );
    expectRaToTheLeft(await raTicks(sky));
    await tools.locator('button.jp-JwstLab-footprintZoomOut').click();
    await expect
      .poll(async () => (await viewOf(sky)).half)
      .toBeCloseTo(fit.half, 6);

    // The wheel zooms in about the pointer and does not scroll the page.
    const box = (await sky.boundingBox())!;
    const side = results.locator('.jp-JwstLab-mastResultsSide');
    const scrolled = await side.evaluate(node => node.scrollTop);
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.45);
    await page.mouse.wheel(0, -200);
    await expect
      .poll(async () => (await viewOf(sky)).half)
      .toBeLessThan(fit.half * 0.8);
    expect(await side.evaluate(node => node.scrollTop)).toBe(scrolled);

    // Dragging to the right brings what is east (left) into view: RA grows.
    const before = await viewOf(sky);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, {
      steps: 5
    });
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, {
      steps: 5
    });
    await page.mouse.up();
    const dragged = await viewOf(sky);
    expect(dragged.ra).toBeGreaterThan(before.ra);
    expect(dragged.dec).toBeCloseTo(before.dec, 4);
    expect(dragged.half).toBeCloseTo(before.half, 9);
    // A drag ending on a footprint selected nothing.
    await expect(sky.locator('path[data-selected="true"]')).toHaveCount(0);

    // Keys on the focused view: up shows north, "-" zooms out, "0" fits all.
    await sky.focus();
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(async () => (await viewOf(sky)).dec)
      .toBeGreaterThan(dragged.dec);
    await page.keyboard.press('-');
    await expect
      .poll(async () => (await viewOf(sky)).half)
      .toBeCloseTo(dragged.half * 2, 6);
    await page.keyboard.press('0');
    await expect.poll(async () => await viewOf(sky)).toEqual(fit);

    // Select a row: its footprint is highlighted; fit to it.
    const row = (obsId: string) =>
      results.locator('.jp-JwstLab-mastTable .jp-JwstLab-vtableRow', {
        hasText: obsId
      });
    const firstKey = await row(FIRST).getAttribute('data-key');
    await row(FIRST).click();
    const firstPrint = sky.locator(`path[data-key="${firstKey}"]`);
    await expect(firstPrint).toHaveAttribute('data-selected', 'true');
    await tools.locator('button.jp-JwstLab-footprintFitSelection').click();
    await expect
      .poll(async () => (await viewOf(sky)).half)
      .toBeLessThan(fit.half);
    // The selected footprint now fills most of the plot, still highlighted.
    const plot = (await sky
      .locator('.jp-JwstLab-footprintPlot')
      .boundingBox())!;
    const print = (await firstPrint.boundingBox())!;
    expect(Math.max(print.width, print.height)).toBeGreaterThan(
      0.75 * plot.width
    );
    expect(print.x).toBeGreaterThanOrEqual(plot.x - 1);
    expect(print.x + print.width).toBeLessThanOrEqual(plot.x + plot.width + 1);
    await expect(firstPrint).toHaveClass(/jp-mod-selected/);
    expectRaToTheLeft(await raTicks(sky));

    // Zoomed, a click on another footprint still selects its row.
    const secondKey = await row(SECOND).getAttribute('data-key');
    await sky.locator(`path[data-key="${secondKey}"]`).dispatchEvent('click');
    await expect(row(SECOND)).toHaveAttribute('aria-selected', 'true');
    await expect(sky.locator('path[data-selected="true"]')).toHaveAttribute(
      'data-key',
      secondKey ?? ''
    );

    await results.locator('.jp-JwstLab-mastSky').screenshot({
      path: 'test-results/screenshots/mast-footprints-zoomed-light.png'
    });
    await tools.locator('button.jp-JwstLab-footprintFitAll').click();
    await expect.poll(async () => await viewOf(sky)).toEqual(fit);
  });
});
