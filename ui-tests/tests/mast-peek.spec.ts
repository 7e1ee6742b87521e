import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { cleanUpAfterEach, watchForErrors } from '../helpers/cleanUp';
import { JwstLabHelper } from '../helpers/JwstLabHelper';

/**
 * Peek without downloading (issue 15, cloud data): from the MAST results, a
 * product's FITS headers and a quick look of its science image, read from
 * MAST's public bucket with range requests. The demo server's bucket is a
 * loopback S3 server (moto) holding the demo archive's products at the keys
 * of MAST's layout (see ../jupyter_server_test_config.py).
 */
const TARGET = 'DEMO-FIELD';
const FIRST = 'jw09999001001_02101_00001_mirimage';
const CAL = `${FIRST}_cal.fits`;

test.use({ viewport: { width: 1600, height: 1000 } });

const problems: string[] = [];
cleanUpAfterEach({ problems: () => problems });

test.beforeEach(({ page }) => {
  problems.splice(0);
  watchForErrors(page, problems);
});

/** Search the demo target and open the products of its first exposure. */
async function openProducts(page: IJupyterLabPageFixture): Promise<Locator> {
  const results = await new JwstLabHelper(page).searchMast(TARGET);
  await results
    .locator('.jp-JwstLab-mastTable .jp-JwstLab-vtableRow', { hasText: FIRST })
    .click();
  const products = results.locator('.jp-JwstLab-mastProducts');
  await expect(products.locator('.jp-JwstLab-sectionTitle')).toContainText(
    FIRST
  );
  return products;
}

test.describe('Peek at a MAST product in the cloud bucket', () => {
  test('shows its header cards and a quick look, having read a small part of the file', async ({
    page
  }) => {
    test.setTimeout(120000);
    const products = await openProducts(page);
    const cal = products.locator(
      '.jp-JwstLab-productTable .jp-JwstLab-vtableRow',
      { hasText: CAL }
    );
    await expect(cal).toBeVisible({ timeout: 30000 });
    // The archive's cal product is 7.4 MB: what the table says it is.
    await expect(cal).toContainText('7.4 MB');
    await cal.getByRole('button', { name: `Peek at ${CAL}` }).click();

    const peek = page.locator('.jp-JwstLab-peek');
    const read = peek.locator('.jp-JwstLab-peekRead');
    await expect(read).toBeVisible({ timeout: 60000 });
    await expect(read).toContainText('nothing was downloaded');
    const bytesRead = Number(await read.getAttribute('data-bytes-read'));
    const size = Number(await read.getAttribute('data-size'));
    expect(size).toBe(7407360);
    expect(bytesRead).toBeGreaterThan(0);
    expect(bytesRead).toBeLessThan(size / 10);
    await expect(peek.locator('.jp-JwstLab-peekSource')).toHaveText(
      `s3://stpubdata/jwst/public/jw09999/${CAL}`
    );
    // The tab is named after the file.
    await expect(
      page.locator('.lm-TabBar-tab', { hasText: `Peek: ${CAL}` })
    ).toBeVisible();

    // The primary header's cards, as the file has them.
    const cards = peek.locator('.jp-JwstLab-peekCards tbody tr');
    await expect(
      peek.locator('tr[data-keyword="TELESCOP"] td').first()
    ).toHaveText('JWST');
    await expect(
      peek.locator('tr[data-keyword="INSTRUME"] td').first()
    ).toHaveText('MIRI');

    // The science extension's header, filtered.
    await peek.getByRole('button', { name: '1: SCI' }).click();
    await expect(peek.getByRole('button', { name: '1: SCI' })).toHaveAttribute(
      'aria-pressed',
      'true'
    );
    await peek.getByLabel('Filter cards').fill('naxis');
    await expect(cards).toHaveCount(3);
    await expect(
      peek.locator('tr[data-keyword="NAXIS1"] td').first()
    ).toHaveText('512');

    // The quick look is an image the browser decoded, square as the 512 x 512 image.
    const image = peek.locator('img.jp-JwstLab-peekImage');
    await expect(image).toBeVisible();
    const [width, height] = await image.evaluate(node => [
      (node as HTMLImageElement).naturalWidth,
      (node as HTMLImageElement).naturalHeight
    ]);
    expect(width).toBeGreaterThan(0);
    expect(height).toBe(width);
    await expect(peek.locator('.jp-JwstLab-peekLook figcaption')).toContainText(
      '512 × 512'
    );

    await peek.getByLabel('Filter cards').fill('');
    await new JwstLabHelper(page).screenshotThemes(
      page.locator('.jp-JwstLab-peekContent'),
      'mast-peek'
    );
  });

  test('is reached from the keyboard: tick one file, then "Peek"', async ({
    page
  }) => {
    test.setTimeout(120000);
    const products = await openProducts(page);
    const rows = products.locator(
      '.jp-JwstLab-productTable .jp-JwstLab-vtableRow'
    );
    await expect(rows.first()).toBeVisible({ timeout: 30000 });
    const toolbarPeek = products.locator('button.jp-JwstLab-peekTicked');
    await expect(toolbarPeek).toBeDisabled();

    // Arrow keys move along the rows, Space ticks one.
    await rows.first().focus();
    const names = await rows.allTextContents();
    const calIndex = names.findIndex(text => text.includes(CAL));
    expect(calIndex).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < calIndex; i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Space');
    await expect(
      rows.nth(calIndex).locator('input[type="checkbox"]')
    ).toBeChecked();
    await expect(toolbarPeek).toBeEnabled();
    await toolbarPeek.focus();
    await page.keyboard.press('Enter');

    const peek = page.locator('.jp-JwstLab-peek');
    await expect(peek.locator('.jp-JwstLab-peekRead')).toBeVisible({
      timeout: 60000
    });
    await expect(peek).toHaveAttribute('data-uri', `mast:JWST/product/${CAL}`);
    await expect(
      peek.locator('.jp-JwstLab-peekCards tbody tr').first()
    ).toBeVisible();
  });
});
