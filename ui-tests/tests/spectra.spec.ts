import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';

/**
 * Spectral products open from the Quick Look command: an x1d as a plot (line,
 * error band, a selector per source/order), an s2d as an image with a
 * wavelength axis, an s3d as a plane with a wavelength slider. The products
 * are small synthetic files written with stdatamodels by the Python tests'
 * writer (`python -m tests.synthetic_spectra`), uploaded into the demo
 * server's root. Screenshots in light and dark themes; no console errors.
 */

test.use({ viewport: { width: 1600, height: 1000 } });

const FOLDER = 'test-results/screenshots';
const REMOTE = 'spectra';
const REPO = path.resolve(__dirname, '..', '..');
const PYTHON =
  process.env.JWST_LAB_PYTHON ?? path.join(REPO, '.venv', 'bin', 'python');
/** The writer's file names (tests/synthetic_spectra.py NAMES). */
const FILES = {
  x1d: 'jw01234-o001_t001_nirspec_f290lp-g395h_x1d.fits',
  s2d: 'jw01234-o001_t001_nirspec_f290lp-g395h_s2d.fits',
  s3d: 'jw01234-o001_t001_miri_ch1-short_s3d.fits'
};

let local = '';

test.beforeAll(() => {
  local = fs.mkdtempSync(path.join(os.tmpdir(), 'jwst-lab-spectra-'));
  execFileSync(PYTHON, ['-m', 'tests.synthetic_spectra', local], {
    cwd: REPO,
    stdio: 'pipe',
    timeout: 120000
  });
});

test.afterAll(() => {
  if (local) {
    fs.rmSync(local, { recursive: true, force: true });
  }
});

const problems: string[] = [];
cleanUpAfterEach({ problems: () => problems });

test.beforeEach(({ page }) => {
  problems.length = 0;
  watchForErrors(page, problems);
});

/** Upload `name` (once per server) and open it with the Quick Look command. */
async function open(
  page: IJupyterLabPageFixture,
  name: string
): Promise<string> {
  const remote = `${REMOTE}/${name}`;
  await page.waitForFunction(() =>
    (window as any).jupyterapp.commands.hasCommand('jwst-lab:quick-look')
  );
  if (!(await page.contents.fileExists(remote))) {
    await page.contents.uploadFile(path.join(local, name), remote);
  }
  await page.evaluate(
    target =>
      (window as any).jupyterapp.commands.execute('jwst-lab:quick-look', {
        path: target
      }),
    remote
  );
  return remote;
}

/** Screenshots of the main area in the light theme, then the dark one (then light again). */
async function shoot(page: IJupyterLabPageFixture, name: string) {
  const view = page.locator('.jp-JwstLab-spectraTab:visible');
  await page.screenshot({ path: `${FOLDER}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await expect(view).toBeVisible();
  await page.screenshot({ path: `${FOLDER}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test('an x1d opens as a plot with a line and an error band; the selector switches spectra', async ({
  page
}) => {
  await open(page, FILES.x1d);
  const view = page.locator('.jp-JwstLab-spectraView[data-kind="x1d"]');
  const line = view.locator('.jp-JwstLab-spectrumLine');
  const band = view.locator('.jp-JwstLab-spectrumBand');
  await expect(line).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/);
  await expect(band).toHaveAttribute('d', /Z$/);
  await expect(view.locator('[data-axis="x"]')).toContainText(
    'Wavelength [µm]'
  );
  await expect(view.locator('[data-axis="y"]')).toContainText('Flux [Jy]');

  const select = view.locator('.jp-JwstLab-spectrumSelect');
  await expect(select.locator('option')).toHaveText([
    'S200A1 · star-1 · order 1',
    'S200A2 · galaxy-2 · order 2'
  ]);
  const first = await line.getAttribute('d');
  await select.selectOption({ index: 1 });
  await expect(view.locator('[data-spectrum="1"]')).toContainText('250 points');
  await expect(line).not.toHaveAttribute('d', first ?? '');
  // The second spectrum has a gap: its line is drawn in more than one piece.
  expect(
    ((await line.getAttribute('d')) ?? '').split('M').length
  ).toBeGreaterThan(2);

  // Hover reads out a point; dragging a range zooms; reset goes back.
  const svg = view.locator('.jp-JwstLab-spectrumSvg');
  const box = (await svg.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await expect(view.locator('.jp-JwstLab-spectrumReadout')).toContainText('λ');
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, {
    steps: 5
  });
  await page.mouse.up();
  const reset = view.locator('.jp-JwstLab-spectrumReset');
  await expect(reset).toBeEnabled();
  await shoot(page, 'spectra-x1d');
  await reset.click();
  await expect(reset).toBeDisabled();
  expect(problems).toEqual([]);
});

test('an s3d opens as a plane; the wavelength slider changes λ and the image', async ({
  page
}) => {
  await open(page, FILES.s3d);
  const view = page.locator('.jp-JwstLab-spectraView[data-kind="s3d"]');
  const image = view.locator('.jp-JwstLab-cubeImage');
  const lambda = view.locator('.jp-JwstLab-cubeLambda');
  await expect(image).toHaveAttribute('data-plane', '30');
  await expect(lambda).toContainText('λ = 4.96 µm · plane 31 of 60');
  const before = await image.getAttribute('src');

  const slider = view.locator('.jp-JwstLab-cubeSlider');
  await slider.focus();
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press('ArrowRight');
  }
  await expect(lambda).toContainText('λ = 4.974 µm · plane 38 of 60');
  await expect(image).toHaveAttribute('data-plane', '37');
  expect(await image.getAttribute('src')).not.toBe(before);

  // A wavelength range collapsed: five planes averaged from the current one.
  const shown = await image.getAttribute('src');
  await view.locator('.jp-JwstLab-cubeCollapse').selectOption('5');
  await expect(lambda).toContainText('(+ 4 averaged)');
  await expect(image).not.toHaveAttribute('src', shown ?? '');

  // A spaxel's spectrum, marked at the plane's wavelength.
  const box = (await image.boundingBox())!;
  await image.click({ position: { x: box.width * 0.58, y: box.height * 0.6 } });
  const plot = view.locator('.jp-JwstLab-spectrumPlot');
  await expect(plot.locator('.jp-JwstLab-spectrumLine')).toHaveAttribute(
    'd',
    /^M/
  );
  await expect(plot.locator('.jp-JwstLab-spectrumMarker')).toHaveCount(1);
  await expect(view.locator('figcaption')).toContainText('spaxel x');
  await shoot(page, 'spectra-s3d');
  expect(problems).toEqual([]);
});

test('an s2d opens as an image with wavelength ticks below it', async ({
  page
}) => {
  await open(page, FILES.s2d);
  const view = page.locator('.jp-JwstLab-spectraView[data-kind="s2d"]');
  await expect(view.locator('.jp-JwstLab-s2dImage')).toBeVisible();
  const ticks = view.locator('.jp-JwstLab-s2dTick');
  /** The tick labels as numbers, once there are at least three. */
  const values = async () => {
    await expect.poll(() => ticks.count()).toBeGreaterThanOrEqual(3);
    return (await ticks.allTextContents()).map(Number);
  };
  const first = await values();
  expect(first.every((value, i) => i === 0 || value > first[i - 1])).toBe(true);
  expect(Math.min(...first)).toBeGreaterThanOrEqual(2.9);
  expect(Math.max(...first)).toBeLessThanOrEqual(5.1);
  await expect(view.locator('figcaption')).toContainText(
    'Wavelength [µm] (from WAVELENGTH)'
  );
  await view.locator('.jp-JwstLab-slitSelect').selectOption({ index: 1 });
  await expect(ticks.first()).not.toHaveText(String(first[0]));
  const second = await values();
  expect(Math.min(...second)).toBeGreaterThanOrEqual(1.5);
  expect(Math.max(...second)).toBeLessThanOrEqual(2.6);
  await shoot(page, 'spectra-s2d');
  expect(problems).toEqual([]);
});
