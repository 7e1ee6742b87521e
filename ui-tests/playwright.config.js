/**
 * Playwright configuration for the Galata tests of jwst-lab.
 *
 * Browsers cannot be downloaded here: the tests drive Debian's Chromium.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The test hub's proxy, and where the hub-login project keeps alice's session. */
const HUB_URL = 'http://127.0.0.1:8897';
const HUB_SESSION = '.hub/alice-session.json';

module.exports = {
  ...baseConfig,
  // Galata picks the "github" reporter when CI is set; the CI log reader wants a list.
  reporter: [
    ['list'],
    ['json', { outputFile: 'test-results/results.json' }],
    ['html', { open: 'never', outputFolder: 'playwright-report' }]
  ],
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  timeout: 90000,
  use: {
    ...baseConfig.use,
    // Playwright's ffmpeg (needed for video) cannot be downloaded here.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic'
      ]
    }
  },
  // Two servers (see jupyter_server_test_config.py): the offline demo workspace,
  // and the same workspace with the real JWST CRDS cache of ../shared/fixtures.
  projects: [
    {
      name: 'demo',
      testIgnore: ['**/crds-fixture/**', '**/hub/**'],
      use: { baseURL: 'http://127.0.0.1:8899' }
    },
    {
      name: 'crds-fixture',
      testDir: './tests/crds-fixture',
      use: { baseURL: 'http://127.0.0.1:8898' }
    },
    // A real JupyterHub (../deploy/jupyterhub, via ../tests/hub_deployment.py):
    // alice signs in on the hub's login page, then JupyterLab runs under /user/alice/.
    {
      name: 'hub-login',
      testDir: './tests/hub',
      testMatch: 'login.setup.ts'
    },
    {
      name: 'hub',
      testDir: './tests/hub',
      testIgnore: 'login.setup.ts',
      dependencies: ['hub-login'],
      use: {
        baseURL: `${HUB_URL}/user/alice`,
        storageState: HUB_SESSION
      }
    }
  ],
  webServer: [
    {
      command: 'jlpm start',
      url: 'http://127.0.0.1:8899/lab',
      env: { JWST_LAB_GALATA_PROFILE: 'demo' },
      // The first start builds the demo workspace template (~20 s).
      timeout: 300 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: 'jlpm start',
      url: 'http://127.0.0.1:8898/lab',
      env: { JWST_LAB_GALATA_PROFILE: 'crds-fixture' },
      timeout: 300 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: 'python -m tests.hub_deployment 8897',
      cwd: '..',
      url: `${HUB_URL}/hub/health`,
      // SIGTERM lets the hub stop the users' servers and its proxy before it exits.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 30000 },
      timeout: 300 * 1000,
      reuseExistingServer: !process.env.CI
    }
  ]
};
