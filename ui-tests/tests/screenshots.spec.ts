import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { JwstLabHelper, PanelName } from '../helpers/JwstLabHelper';

/**
 * Screenshots of every jwst-lab panel and CRDS view, in the light and dark
 * themes, with a 250 px and a 600 px sidebar, on the demo workspace. CI keeps
 * `ui-tests/test-results`, so the PNGs are its artifacts: a reviewer looks at
 * them as a user would. The test fails on any console error or page error.
 */

test.use({ viewport: { width: 1600, height: 1000 } });

const FOLDER = 'test-results/screenshots';
const WIDTHS = [250, 600];
/** A demo exposure (MIRI imaging uncal) and the demo cache's two contexts. */
const UNCAL = 'uncal/jw09999001001_02101_00001_mirimage_uncal.fits';
const OLD = 'jwst_9000.pmap';
const NEW = 'jwst_9001.pmap';

/** The main-area CRDS views, each opened once by its command. */
const VIEWS: {
  name: string;
  command: string;
  args: Record<string, string>;
  ready: string;
}[] = [
  {
    name: 'crds-tree',
    command: 'jwst-lab:crds-open-context',
    args: { context: NEW, instrument: 'miri', reftype: 'flat' },
    ready: '.jp-JwstLab-crdsRulesTable tbody tr[aria-rowindex]'
  },
  {
    name: 'crds-bestrefs',
    command: 'jwst-lab:crds-bestrefs',
    args: { path: UNCAL },
    ready: '.jp-JwstLab-crdsBestrefsTable'
  },
  {
    name: 'crds-diff',
    command: 'jwst-lab:crds-diff',
    args: { old: OLD, new: NEW },
    ready: '.jp-JwstLab-crdsDiffTable'
  }
];

const PANELS: PanelName[] = ['mast', 'crds', 'jobs'];

/** Wait for the layout to settle (the sidebar's width, fonts) before a shot. */
async function settle(page: IJupyterLabPageFixture, what: Locator) {
  await expect(what.first()).toBeVisible({ timeout: 60000 });
  await page.evaluate(
    () =>
      new Promise(resolve =>
        requestAnimationFrame(() => requestAnimationFrame(resolve))
      )
  );
}

test('screenshots of every panel and CRDS view: light and dark, 250 and 600 px sidebars', async ({
  page
}) => {
  test.setTimeout(120000);
  const problems: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error') {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', error => problems.push(`page: ${error.message}`));
  const lab = new JwstLabHelper(page);

  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    for (const width of WIDTHS) {
      for (const name of PANELS) {
        const panel = await lab.openPanel(name);
        await page.sidebar.setWidth(width, 'left');
        await expect
          .poll(async () => Math.round((await panel.boundingBox())!.width))
          .toBeGreaterThanOrEqual(width - 4);
        await settle(page, panel.locator('.jp-JwstLab-panelTitle'));
        await page.screenshot({
          path: `${FOLDER}/${name}-panel-${theme}-${width}.png`
        });
      }
      // The main-area views beside the CRDS panel, at the same sidebar width.
      await lab.openPanel('crds');
      for (const view of VIEWS) {
        await lab.execute(view.command, view.args);
        await settle(page, page.locator(`.lm-DockPanel ${view.ready}`));
        await page.screenshot({
          path: `${FOLDER}/${view.name}-${theme}-${width}.png`
        });
      }
    }
  }
  expect(problems).toEqual([]);
});
