/**
 * Playwright configuration for the Galata tests of jwst-lab.
 *
 * Browsers cannot be downloaded here: the tests drive Debian's Chromium.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

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
    baseURL: 'http://127.0.0.1:8899',
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
  webServer: {
    command: 'jlpm start',
    url: 'http://127.0.0.1:8899/lab',
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
