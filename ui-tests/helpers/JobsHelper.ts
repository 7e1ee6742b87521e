import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { deleteJobs } from './cleanUp';
import { JwstLabHelper } from './JwstLabHelper';

/**
 * A page object for pipeline jobs: the file-browser menu, the run dialog, the
 * Jobs panel and a job's detail tab.
 */
export class JobsHelper {
  constructor(readonly page: IJupyterLabPageFixture) {
    this.lab = new JwstLabHelper(page);
  }

  readonly lab: JwstLabHelper;

  /** A file browser item by file name. */
  fileItem(name: string): Locator {
    return this.page.locator('.jp-DirListing-item', {
      has: this.page.locator('.jp-DirListing-itemName', { hasText: name })
    });
  }

  /** Open a folder of the server root in the file browser. */
  async openFolder(path: string): Promise<void> {
    await this.page.sidebar.openTab('filebrowser');
    await this.page.filebrowser.openHomeDirectory();
    await this.page.filebrowser.openDirectory(path);
  }

  /** Right-click a file and choose a context menu entry. */
  async runFromContextMenu(name: string, label: string): Promise<Locator> {
    const item = this.fileItem(name).first();
    await expect(item).toBeVisible();
    await item.click({ button: 'right' });
    const entry = this.page.locator('.lm-Menu-item', { hasText: label });
    await expect(entry).toBeVisible();
    await entry.click();
    return this.dialog();
  }

  /**
   * Open the `cal/` folder, right-click `association` → "Run Level 3 pipeline…",
   * and wait until the dialog's Run button can be pressed.
   */
  async openLevel3Dialog(
    association: string
  ): Promise<{ dialog: Locator; run: Locator }> {
    await this.lab.openPanel('jobs');
    await this.openFolder('cal');
    const dialog = await this.runFromContextMenu(
      association,
      'Run Level 3 pipeline…'
    );
    const run = dialog.locator('.jp-JwstLab-runSubmit');
    await expect(run).toBeEnabled({ timeout: 60000 });
    return { dialog, run };
  }

  /** The run dialog. */
  dialog(): Locator {
    return this.page.locator('.jp-JwstLab-runDialog');
  }

  /** A step of the run dialog. */
  step(name: string): Locator {
    return this.dialog().locator(`.jp-JwstLab-runStep[data-step="${name}"]`);
  }

  /** Show a step's parameters in the run dialog. */
  async expandStep(name: string): Promise<Locator> {
    const toggle = this.step(name).locator('.jp-JwstLab-runStepToggle');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') {
      await toggle.click();
    }
    return this.step(name).locator('.jp-JwstLab-runParams');
  }

  /** The Jobs panel's row of a job. */
  row(id: string): Locator {
    return this.lab
      .panel('jobs')
      .locator(`.jp-JwstLab-jobItem[data-job-id="${id}"]`);
  }

  /** The detail view of a job (its main-area tab). */
  detail(id?: string): Locator {
    return id
      ? this.page.locator(`.jp-JwstLab-jobDetail[data-job-id="${id}"]`)
      : this.page.locator('.jp-JwstLab-jobDetail[data-job-id]');
  }

  /** The job id of the detail view now shown. */
  async shownJobId(): Promise<string> {
    const view = this.page.locator(
      '.jp-JwstLab-jobDetailWidget:not(.lm-mod-hidden) .jp-JwstLab-jobDetail[data-job-id]'
    );
    await expect(view).toBeVisible({ timeout: 30000 });
    return (await view.getAttribute('data-job-id')) as string;
  }

  /** The steps done of a job's progress bar in its detail view. */
  async stepsDone(id: string): Promise<number> {
    const value = await this.detail(id)
      .locator('[role="progressbar"]')
      .getAttribute('aria-valuenow');
    return value === null ? 0 : Number(value);
  }

  /** Cancel (if needed) and delete jobs through the REST API. */
  async cleanUp(ids: string[]): Promise<void> {
    await deleteJobs(this.page.request, ids);
  }
}
