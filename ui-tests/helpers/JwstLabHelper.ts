import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** The sidebar panels jwst-lab adds, by widget id. */
export const PANELS = {
  mast: 'jwst-lab-mast-panel',
  crds: 'jwst-lab-crds-panel',
  jobs: 'jwst-lab-jobs-panel'
} as const;

export type PanelName = keyof typeof PANELS;

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
