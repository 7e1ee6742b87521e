import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** The sidebar panels jwst-lab adds, by widget id. */
export const PANELS = {
  mast: 'jwst-lab-mast-panel',
  crds: 'jwst-lab-crds-panel',
  jobs: 'jwst-lab-jobs-panel'
} as const;

export type PanelName = keyof typeof PANELS;

/** A download job's record, as `POST /jwst-lab/downloads` answers (the fields tests read). */
export interface IDownloadJob {
  id: string;
  kind: string;
  download: { files_total: number };
}

/**
 * A page object for jwst-lab: opens its panels and finds their parts, so the
 * tests read as what a user does.
 */
export class JwstLabHelper {
  constructor(readonly page: IJupyterLabPageFixture) {}

  /** The sidebar tab of a panel. */
  tab(name: PanelName): Locator {
    return this.page.locator(`.jp-SideBar [data-id="${PANELS[name]}"]`);
  }

  /** The panel itself. */
  panel(name: PanelName): Locator {
    return this.page.locator(`#${PANELS[name]}`);
  }

  /** Open a panel from its sidebar tab (a no-op when it is already shown). */
  async openPanel(name: PanelName): Promise<Locator> {
    const panel = this.panel(name);
    if (!(await panel.isVisible())) {
      await this.tab(name).click();
    }
    await expect(panel).toBeVisible();
    return panel;
  }

  /**
   * Search MAST for `target` from the sidebar panel; the results document
   * (returned) opens and lists the first observations.
   */
  async searchMast(target: string): Promise<Locator> {
    const panel = await this.openPanel('mast');
    const query = panel.getByLabel('Target name or coordinates');
    await query.fill(target);
    await query.press('Enter');
    const results = this.page.locator('#jwst-lab-mast-results');
    await expect(results).toBeVisible({ timeout: 60000 });
    await expect(
      results.locator('.jp-JwstLab-mastTable .jp-JwstLab-vtableRow').first()
    ).toBeVisible({ timeout: 60000 });
    return results;
  }

  /**
   * Screenshots of `part` in the light and the dark theme, as
   * `test-results/screenshots/<name>-light.png` and `-dark.png`; the light theme is back after.
   */
  async screenshotThemes(part: Locator, name: string): Promise<void> {
    await part.screenshot({
      path: `test-results/screenshots/${name}-light.png`
    });
    await this.page.theme.setDarkTheme();
    await part.screenshot({
      path: `test-results/screenshots/${name}-dark.png`
    });
    await this.page.theme.setLightTheme();
  }

  /**
   * Click `button` (a download form's or the basket's) and wait for the job
   * it creates: `POST /jwst-lab/downloads` answers 201 with the job's record,
   * returned.
   */
  async startDownload(button: Locator): Promise<IDownloadJob> {
    const created = this.page.waitForResponse(
      response =>
        response.url().includes('/jwst-lab/downloads') &&
        response.request().method() === 'POST'
    );
    await button.click();
    const response = await created;
    expect(response.status()).toBe(201);
    return (await response.json()) as IDownloadJob;
  }

  /** Run a JupyterLab command with `args` in the page, as a menu entry would. */
  async execute(command: string, args: Record<string, string>): Promise<void> {
    await this.page.evaluate(
      ({ command, args }) =>
        (window as any).jupyterapp.commands
          .execute(command, args)
          .then(() => undefined),
      { command, args }
    );
  }

  /** Run a command from the command palette by its label. */
  async runFromPalette(label: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+C');
    const palette = this.page.locator('#command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('.lm-CommandPalette-input').fill(label);
    await palette
      .locator('.lm-CommandPalette-item', { hasText: label })
      .first()
      .click();
  }
}
