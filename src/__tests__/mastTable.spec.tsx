import { sortRows, visibleRange } from '../components/VirtualTable';
import type { MastRow } from '../api/models';
import { click, query, queryAll, waitFor } from './fixtures';
import {
  makeObservation,
  makeSearchResult,
  mastClient,
  openPanel,
  rowsShown,
  search
} from './mastFixtures';

describe('visibleRange', () => {
  it('covers the viewport plus the overscan, clipped to the rows', () => {
    expect(visibleRange(0, 240, 24, 10000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(2400, 240, 24, 10000, 5)).toEqual({
      start: 95,
      end: 116
    });
    expect(visibleRange(24 * 9995, 240, 24, 10000, 5)).toEqual({
      start: 9990,
      end: 10000
    });
    expect(visibleRange(0, 240, 24, 3, 5)).toEqual({ start: 0, end: 3 });
  });
});

describe('sortRows', () => {
  const rows: MastRow[] = [
    { name: 'b', n: 2 },
    { name: null, n: null },
    { name: 'a10', n: 10 },
    { name: 'a9', n: -1 }
  ];
  const value = (row: MastRow, column: string) => row[column];

  it('sorts numbers by value and text naturally, missing values last both ways', () => {
    expect(
      sortRows(rows, { column: 'n', direction: 'ascending' }, value).map(
        row => row.n
      )
    ).toEqual([-1, 2, 10, null]);
    expect(
      sortRows(rows, { column: 'n', direction: 'descending' }, value).map(
        row => row.n
      )
    ).toEqual([10, 2, -1, null]);
    expect(
      sortRows(rows, { column: 'name', direction: 'ascending' }, value).map(
        row => row.name
      )
    ).toEqual(['a9', 'a10', 'b', null]);
  });

  it('leaves the rows alone without a sort', () => {
    expect(sortRows(rows, null, value)).toBe(rows);
  });
});

describe('MAST results table with 10,000 rows', () => {
  it('renders only a window of rows, moves it on scroll and sorts all rows', async () => {
    const client = mastClient();
    const rows = Array.from({ length: 10000 }, (_, index) =>
      makeObservation(index, { proposal_id: String(10000 - index) })
    );
    client.searchAnswer = async () =>
      makeSearchResult(rows, { total: 12345, page_size: 10000 });
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastCount').textContent).toBe(
        '1–10000 of 12345 observations'
      )
    );
    const table = query(panel, '.jp-JwstLab-mastTable');
    const rendered = () =>
      queryAll(panel, '.jp-JwstLab-mastTable .jp-JwstLab-vtableRow');
    const spacers = () =>
      queryAll(panel, '.jp-JwstLab-mastTable tr.jp-JwstLab-vtableSpacer');
    const height = (row: HTMLElement) => parseFloat(row.style.height);
    expect(
      query(panel, '.jp-JwstLab-mastTable table').getAttribute('aria-rowcount')
    ).toBe('10001');
    expect(rendered().length).toBeGreaterThan(5);
    // jsdom measures no height: the window is the table's default (60 rows + overscan)
    expect(rendered().length).toBeLessThan(100);
    // the rows and the spacers standing in for the others are as tall as all
    // rows, so the scrollbar is true
    const tallness = () =>
      [...spacers(), ...rendered()].reduce((sum, row) => sum + height(row), 0);
    expect(tallness()).toBe(240000);

    table.scrollTop = 24 * 5000;
    table.dispatchEvent(new Event('scroll'));
    await waitFor(() =>
      expect(rendered().map(row => row.dataset.index)).toContain('5000')
    );
    // jsdom measures no height: the window is the table's default (60 rows + overscan)
    expect(rendered().length).toBeLessThan(100);
    expect(rendered().map(row => row.dataset.index)).not.toContain('0');
    expect(tallness()).toBe(240000);
    // the spacer above holds the rows before the window: row 5000 is at its place
    const start = Number(rendered()[0].dataset.index);
    expect(height(spacers()[0])).toBe(24 * start);
    const row5000 = rendered().find(row => row.dataset.index === '5000')!;
    expect(row5000.textContent).toContain('jw01234-o5000_t001_miri_f770w');

    // sorting by program (descending ids → ascending program) puts the last row first
    table.scrollTop = 0;
    table.dispatchEvent(new Event('scroll'));
    click(panel, '.jp-JwstLab-mastTable [data-column="proposal_id"] button');
    await waitFor(() =>
      expect(rendered()[0].textContent).toContain(
        'jw01234-o9999_t001_miri_f770w'
      )
    );
    // jsdom measures no height: the window is the table's default (60 rows + overscan)
    expect(rendered().length).toBeLessThan(100);
    // 12,345 rows in all but 10,000 here: the server sorts them all
    expect(client.mastCalls.slice(-1)[0]).toEqual([
      'searchObservations',
      {
        target: 'DEMO-FIELD',
        radius: 0.05,
        page: 1,
        page_size: 10000,
        sort: 'proposal_id'
      }
    ]);
  });

  it('moves between rows with the keyboard and opens one with Enter', async () => {
    const client = mastClient();
    client.searchAnswer = async () =>
      makeSearchResult(
        Array.from({ length: 50 }, (_, index) => makeObservation(index))
      );
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await rowsShown(panel);
    const first = query(panel, '.jp-JwstLab-mastTable [data-index="0"]');
    expect(first.tabIndex).toBe(0);
    first.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })
    );
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('data-index')).toBe('1')
    );
    document.activeElement!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    await waitFor(() =>
      expect(client.mastCalls).toContainEqual([
        'listProducts',
        String(90000001),
        { product_type: undefined, calib_level: undefined }
      ])
    );
  });
});
