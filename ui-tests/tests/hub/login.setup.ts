import { expect, test as setup } from '@playwright/test';

/**
 * Sign alice in on the test hub's own login page (SharedPasswordAuthenticator,
 * tests/hub_deployment.py), let the hub start her server, and keep the session
 * (the hub's cookie and her server's) for the `hub` project.
 */
const HUB_URL = 'http://127.0.0.1:8897';
const PASSWORD = 'jwst-lab-hub-test';

setup(
  'alice signs in on the hub and her JupyterLab starts',
  async ({ page }) => {
    setup.setTimeout(240000);
    await page.goto(`${HUB_URL}/hub/login`);
    await page.locator('#username_input').fill('alice');
    await page.locator('#password_input').fill(PASSWORD);
    await page.locator('#login_submit').click();
    // The hub spawns her server, then redirects to it under /user/alice/.
    await page.waitForURL(/\/user\/alice\/lab/, { timeout: 180000 });
    await expect(page.locator('#jupyterlab-splash')).toHaveCount(0, {
      timeout: 120000
    });
    await page.context().storageState({ path: '.hub/alice-session.json' });
  }
);
