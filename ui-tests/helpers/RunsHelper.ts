import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { JobsHelper } from './JobsHelper';

/**
 * A page object for runs: "Reduce to Level N…" in the file browser, the plan
 * dialog and a run's tab.
 */
export class RunsHelper {
  constructor(readonly page: IJupyterLabPageFixture) {
    this.jobs = new JobsHelper(page);
  }

  readonly jobs: JobsHelper;

  /** Right-click a folder at the top of the server root (its context menu opens). */
  async openFolderMenu(folder: string): Promise<void> {
    await this.page.sidebar.openTab('filebrowser');
    await this.page.filebrowser.openHomeDirectory();
    const item = this.jobs.fileItem(folder).first();
    await expect(item).toHaveAttribute('data-isdir', 'true');
    await item.click({ button: 'right' });
  }

  /** The context menu's entry "Reduce to Level `level`…". */
  reduceEntry(level: 1 | 2 | 3): Locator {
    return this.page.locator('.lm-Menu-item', {
      hasText: `Reduce to Level ${level}…`
    });
  }

  /** Reduce a folder to a level from its context menu: the plan dialog. */
  async reduce(folder: string, level: 1 | 2 | 3): Promise<Locator> {
    await this.openFolderMenu(folder);
    await this.reduceEntry(level).click();
    const dialog = this.planDialog();
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** The plan dialog. */
  planDialog(): Locator {
    return this.page.locator('.jp-JwstLab-planDialog');
  }

  /** The run view of the run tab shown. */
  shownView(): Locator {
    return this.page.locator(
      '.jp-JwstLab-runTab:not(.lm-mod-hidden) .jp-JwstLab-runView[data-run-id]'
    );
  }

  /** Once the plan dialog has been submitted: its run's tab, and the run's id. */
  async submitted(): Promise<{ view: Locator; runId: string }> {
    await expect(this.planDialog()).toHaveCount(0, { timeout: 60000 });
    const view = this.shownView();
    await expect(view).toBeVisible({ timeout: 30000 });
    return { view, runId: (await view.getAttribute('data-run-id')) as string };
  }

  /** Bring a run's tab to the front. */
  async showTab(runId: string): Promise<void> {
    await this.page
      .locator('.lm-DockPanel .lm-TabBar-tab', { hasText: runId.slice(0, 8) })
      .click();
    await expect(this.shownView()).toHaveAttribute('data-run-id', runId);
  }

  /** Wait until the run of `view` succeeds: all `jobs` nodes succeeded, and the notification. */
  async expectSucceeded(
    view: Locator,
    jobs: number,
    timeout: number
  ): Promise<void> {
    await expect(view).toHaveAttribute('data-status', 'succeeded', {
      timeout
    });
    await expect(
      view.locator('.jp-JwstLab-runNode[data-status="succeeded"]')
    ).toHaveCount(jobs);
    await expect(
      this.page.locator('.Toastify__toast', { hasText: 'Run succeeded' })
    ).toBeVisible({ timeout: 30000 });
  }
}
