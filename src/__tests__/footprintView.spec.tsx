import * as React from 'react';

import type { MastRow } from '../api/models';
import {
  frameAt,
  ICone,
  ISkyPoint,
  ISkyView,
  MAX_HALF,
  MIN_HALF,
  panView,
  project,
  skyFrame,
  zoomView
} from '../mast/footprint';
import {
  formatAngle,
  footprintsOf,
  SkyFootprints
} from '../widgets/mast/footprint';
import { cleanUp, query as $, render, trans, waitFor } from './fixtures';
import { makeObservation } from './mastFixtures';

afterEach(cleanUp);

/** Sky points agree to a thousandth of an arcsecond. */
const CLOSE = 1e-3 / 3600;

/** What the SVG's `data-centre-*` (6 decimals of a degree) can tell apart. */
const SHOWN = 2e-6;

function expectSky(
  actual: ISkyPoint,
  expected: ISkyPoint,
  tolerance = CLOSE
): void {
  const plane = project(actual, expected)!;
  expect(Math.hypot(plane.x, plane.y)).toBeLessThan(tolerance);
}

describe('footprint view: zoom and pan maths', () => {
  const views: ISkyView[] = [
    { centre: { ra: 269.7275, dec: 66.045 }, half: 0.02 },
    { centre: { ra: 0.01, dec: -30 }, half: 0.5 },
    { centre: { ra: 83.82, dec: 89.5 }, half: 0.2 }
  ];

  it('zooms about an anchor that stays where it is in the window', () => {
    for (const view of views) {
      for (const anchor of [
        { x: 0, y: 0 },
        { x: 0.6 * view.half, y: -0.3 * view.half },
        { x: -0.9 * view.half, y: 0.9 * view.half }
      ]) {
        const under = unprojectAt(anchor, view);
        for (const factor of [2, 0.5, 7.3]) {
          const zoomed = zoomView(view, factor, anchor);
          expect(zoomed.half).toBeCloseTo(view.half / factor, 12);
          // The sky point under the anchor is at the same place in the new
          // window: its plane offset scaled by the zoom.
          const at = project(under, zoomed.centre)!;
          expect(at.x * factor).toBeCloseTo(anchor.x, 8);
          expect(at.y * factor).toBeCloseTo(anchor.y, 8);
        }
        // Zooming about the centre keeps the centre.
        expectSky(zoomView(view, 3).centre, view.centre);
      }
    }
  });

  it('keeps the window between 1″ and 60° wide (half-widths)', () => {
    const view = views[0];
    expect(zoomView(view, 1e9).half).toBe(MIN_HALF);
    expect(zoomView(view, 1e-9).half).toBe(MAX_HALF);
    expect(zoomView(view, 0).half).toBe(view.half);
    expect(frameAt({ centre: view.centre, half: 1e-9 }).half).toBe(MIN_HALF);
  });

  it('pans by moving the tangent point: east is +x, north +y, across RA 0', () => {
    for (const view of views) {
      const offset = { x: 0.4 * view.half, y: -0.25 * view.half };
      const moved = panView(view, offset);
      expect(moved.half).toBe(view.half);
      // The sky point that was at `offset` is now the centre.
      const before = project(moved.centre, view.centre)!;
      expect(before.x).toBeCloseTo(offset.x, 10);
      expect(before.y).toBeCloseTo(offset.y, 10);
      // And the old centre is on the other side of the new one.
      const back = project(view.centre, moved.centre)!;
      expect(Math.sign(back.x)).toBe(-1);
      expect(Math.sign(back.y)).toBe(1);
    }
    // Moving east from RA 0.01° crosses RA 0 the right way: RA grows east.
    const east = panView(views[1], { x: 0.05, y: 0 }).centre;
    expect(east.ra).toBeGreaterThan(0.01);
    expect(east.ra).toBeLessThan(1);
    const west = panView(views[1], { x: -0.05, y: 0 }).centre;
    expect(west.ra).toBeGreaterThan(359);
  });

  it('gives nice ticks inside the window at any zoom', () => {
    const centre = { ra: 269.7275, dec: 66.045 };
    for (const half of [30, 1, 0.01, 2 / 3600, MIN_HALF]) {
      const frame = frameAt({ centre, half });
      expect(frame.decTicks.length).toBeGreaterThanOrEqual(2);
      expect(frame.raTicks.length).toBeGreaterThanOrEqual(1);
      for (const dec of frame.decTicks) {
        expect(Math.abs(dec - centre.dec)).toBeLessThanOrEqual(half * 1.5);
      }
      // Ticks are distinct when printed with the step's decimals.
      const printed = frame.decTicks.map(dec =>
        dec.toFixed(Math.max(0, -Math.floor(Math.log10(frame.decStep))))
      );
      expect(new Set(printed).size).toBe(printed.length);
    }
  });

  it('says window widths as astronomers do', () => {
    expect(formatAngle(1 / 3600)).toBe('1″');
    expect(formatAngle(0.5 / 60)).toBe('30″');
    expect(formatAngle(0.05)).toBe('3′');
    expect(formatAngle(2.5)).toBe('2.5°');
  });
});

/** The sky point at plane offset `plane` of `view` (a projection round trip). */
function unprojectAt(plane: { x: number; y: number }, view: ISkyView) {
  return panView(view, plane).centre;
}

/** A 2′ square footprint at (ra, dec). */
function square(ra: number, dec: number, size = 2 / 60): string {
  const h = size / 2;
  const dra = h / Math.cos((dec * Math.PI) / 180);
  return `POLYGON ICRS ${ra - dra} ${dec - h} ${ra + dra} ${dec - h} ${ra + dra} ${dec + h} ${ra - dra} ${dec + h}`;
}

/** 24 observations on a 6 × 4 grid, 3′ apart, around RA 269.73, Dec 66.05. */
function manyRows(): MastRow[] {
  const rows: MastRow[] = [];
  for (let i = 0; i < 24; i++) {
    const dec = 66.05 + ((i % 4) - 1.5) * 0.05;
    const ra = 269.73 + ((Math.floor(i / 4) - 2.5) * 0.05) / Math.cos(1.15);
    rows.push(
      makeObservation(i, { s_ra: ra, s_dec: dec, s_region: square(ra, dec) })
    );
  }
  return rows;
}

const CONE: ICone = { ra: 269.73, dec: 66.05, radius: 0.2 };

/** The footprint view over `rows`, its selection kept as the results document does. */
function Harness({
  rows,
  cone = CONE
}: {
  rows: MastRow[];
  cone?: ICone | null;
}): JSX.Element {
  const [selected, setSelected] = React.useState<string | null>(null);
  const [shown, setShown] = React.useState(rows);
  return (
    <div>
      <p className="harness-selected">{selected ?? ''}</p>
      <button
        className="harness-filter"
        onClick={() => setShown(rows.slice(0, 8))}
      />
      <SkyFootprints
        rows={shown}
        cone={cone}
        selected={selected}
        onSelect={row => setSelected(String(row.obsid))}
        trans={trans}
      />
    </div>
  );
}

function pointer(
  target: Element,
  type: string,
  x: number,
  y: number,
  id = 1
): void {
  const event = new MouseEvent(type, {
    bubbles: true,
    cancelable: true,
    clientX: x,
    clientY: y,
    button: 0
  });
  Object.defineProperty(event, 'pointerId', { value: id });
  target.dispatchEvent(event);
}

describe('SkyFootprints zoom, pan and fit', () => {
  const half = (host: HTMLElement) =>
    Number($(host, 'svg.jp-JwstLab-footprints').dataset.half);
  const centre = (host: HTMLElement) => {
    const svg = $(host, 'svg.jp-JwstLab-footprints');
    return {
      ra: Number(svg.dataset.centreRa),
      dec: Number(svg.dataset.centreDec)
    };
  };
  /** The x of each RA tick label, by RA. */
  const raTickX = (host: HTMLElement) =>
    Array.from(
      host.querySelectorAll('.jp-JwstLab-footprintTick[data-axis="ra"] text')
    ).map(node => ({
      ra: parseFloat(node.textContent ?? ''),
      x: Number(node.getAttribute('x'))
    }));
  const key = (host: HTMLElement, name: string) => {
    $(host, 'svg.jp-JwstLab-footprints').dispatchEvent(
      new KeyboardEvent('keydown', {
        key: name,
        bubbles: true,
        cancelable: true
      })
    );
  };

  it('draws every footprint; buttons and keys zoom, pan and fit, RA growing to the left', async () => {
    const rows = manyRows();
    expect(footprintsOf(rows).every(f => f.polygons.length === 1)).toBe(true);
    const host = render(<Harness rows={rows} />);
    await waitFor(() =>
      expect(host.querySelectorAll('path.jp-JwstLab-footprint')).toHaveLength(
        24
      )
    );
    const fit = half(host);
    const fitted = skyFrame(footprintsOf(rows), {
      ra: 269.73,
      dec: 66.05,
      radius: 0.2
    })!;
    expect(fit).toBeCloseTo(fitted.half, 5);
    expect($(host, '.jp-JwstLab-footprintScale').dataset.zoom).toBe('1.000');
    const ticks = raTickX(host);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < ticks.length; i++) {
      // Larger RA, further left.
      expect(Math.sign(ticks[i].x - ticks[i - 1].x)).toBe(
        -Math.sign(ticks[i].ra - ticks[i - 1].ra)
      );
    }

    $(host, 'button.jp-JwstLab-footprintZoomIn').click();
    await waitFor(() => expect(half(host)).toBeCloseTo(fit / 2, 5));
    key(host, '+');
    await waitFor(() => expect(half(host)).toBeCloseTo(fit / 4, 5));
    expect($(host, '.jp-JwstLab-footprintScale').dataset.zoom).toBe('4.000');
    expectSky(centre(host), fitted.centre, SHOWN);
    // Zoomed in, fewer footprints are in the window, but all still drawn (clipped).
    expect(host.querySelectorAll('path.jp-JwstLab-footprint')).toHaveLength(24);

    // Arrow left shows what is east: the centre's RA grows; up shows north.
    const before = centre(host);
    key(host, 'ArrowLeft');
    await waitFor(() => expect(centre(host).ra).toBeGreaterThan(before.ra));
    expect(centre(host).dec).toBeCloseTo(before.dec, 3);
    key(host, 'ArrowUp');
    await waitFor(() => expect(centre(host).dec).toBeGreaterThan(before.dec));
    const ticksZoomed = raTickX(host);
    for (let i = 1; i < ticksZoomed.length; i++) {
      expect(Math.sign(ticksZoomed[i].x - ticksZoomed[i - 1].x)).toBe(
        -Math.sign(ticksZoomed[i].ra - ticksZoomed[i - 1].ra)
      );
    }

    key(host, '-');
    await waitFor(() => expect(half(host)).toBeCloseTo(fit / 2, 5));
    $(host, 'button.jp-JwstLab-footprintFitAll').click();
    await waitFor(() => expect(half(host)).toBeCloseTo(fit, 5));
    expectSky(centre(host), fitted.centre, SHOWN);
    key(host, 'ArrowDown');
    await waitFor(() =>
      expect(centre(host).dec).toBeLessThan(fitted.centre.dec)
    );
    key(host, '0');
    await waitFor(() => expectSky(centre(host), fitted.centre));
  });

  it('fits the selection, keeps the highlight both ways, and tells a drag from a click', async () => {
    const rows = manyRows();
    const host = render(<Harness rows={rows} />);
    await waitFor(() =>
      expect(host.querySelectorAll('path.jp-JwstLab-footprint')).toHaveLength(
        24
      )
    );
    const fitSelection = $<HTMLButtonElement>(
      host,
      'button.jp-JwstLab-footprintFitSelection'
    );
    expect(fitSelection.disabled).toBe(true);
    const fit = half(host);

    // A click on a footprint selects its row; it is highlighted and drawn last.
    const target = rows[17];
    const print = () =>
      $(host, `path.jp-JwstLab-footprint[data-key="${target.obsid}"]`);
    print().dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await waitFor(() =>
      expect($(host, '.harness-selected').textContent).toBe(
        String(target.obsid)
      )
    );
    await waitFor(() => expect(print().dataset.selected).toBe('true'));
    expect(print().classList.contains('jp-mod-selected')).toBe(true);
    const paths = host.querySelectorAll('path.jp-JwstLab-footprint');
    expect(paths[paths.length - 1]).toBe(print());
    expect(host.querySelectorAll('path[data-selected="true"]')).toHaveLength(1);

    // Fit to selection: the window is about the footprint's size, centred on it.
    await waitFor(() => expect(fitSelection.disabled).toBe(false));
    fitSelection.click();
    await waitFor(() => expect(half(host)).toBeLessThan(fit / 4));
    const own = skyFrame(footprintsOf([target]), null)!;
    expect(half(host)).toBeCloseTo(own.half, 6);
    expectSky(centre(host), own.centre, SHOWN);
    // Zoomed, the highlight is still there.
    expect(print().dataset.selected).toBe('true');

    // A drag pans (the sky follows the pointer) and does not select what it ends on.
    const svg = $(host, 'svg.jp-JwstLab-footprints');
    const other = rows[3];
    const before = centre(host);
    const otherPrint = $(
      host,
      `path.jp-JwstLab-footprint[data-key="${other.obsid}"]`
    );
    pointer(otherPrint, 'pointerdown', 100, 100);
    pointer(svg, 'pointermove', 101, 101);
    expect(centre(host)).toEqual(before); // under the threshold: not yet a drag
    pointer(svg, 'pointermove', 140, 100);
    await waitFor(() => expect(centre(host).ra).toBeGreaterThan(before.ra));
    pointer(svg, 'pointerup', 140, 100);
    // The click that ends a drag goes to the SVG (it captured the pointer).
    svg.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise(resolve => setTimeout(resolve, 20));
    expect($(host, '.harness-selected').textContent).toBe(String(target.obsid));
    // A click with no press before it (the keyboard, assistive technology) selects.
    const third = rows[5];
    $(
      host,
      `path.jp-JwstLab-footprint[data-key="${third.obsid}"]`
    ).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await waitFor(() =>
      expect($(host, '.harness-selected').textContent).toBe(String(third.obsid))
    );
    // A drag that ends on a footprint does not select it either.
    pointer(otherPrint, 'pointerdown', 140, 100);
    pointer(svg, 'pointermove', 100, 100);
    pointer(svg, 'pointerup', 100, 100);
    otherPrint.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise(resolve => setTimeout(resolve, 20));
    expect($(host, '.harness-selected').textContent).toBe(String(third.obsid));
    // A plain click (press and release in place) still selects.
    pointer(otherPrint, 'pointerdown', 50, 50);
    pointer(otherPrint, 'pointerup', 50, 50);
    otherPrint.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await waitFor(() =>
      expect($(host, '.harness-selected').textContent).toBe(String(other.obsid))
    );
    key(host, 'S');
    const second = skyFrame(footprintsOf([other]), null)!;
    await waitFor(() => expectSky(centre(host), second.centre, SHOWN));
  });

  it('zooms with the wheel about the pointer, and new results show everything again', async () => {
    const rows = manyRows();
    const host = render(<Harness rows={rows} cone={null} />);
    await waitFor(() =>
      expect(host.querySelectorAll('path.jp-JwstLab-footprint')).toHaveLength(
        24
      )
    );
    const fit = half(host);
    const svg = $(host, 'svg.jp-JwstLab-footprints');
    // Let React run the effect that listens to the wheel.
    await new Promise(resolve => setTimeout(resolve, 0));
    const wheel = new WheelEvent('wheel', {
      deltaY: -300,
      bubbles: true,
      cancelable: true
    });
    svg.dispatchEvent(wheel);
    expect(wheel.defaultPrevented).toBe(true);
    await waitFor(() => expect(half(host)).toBeCloseTo(fit / Math.E, 5));
    expect($(host, '.jp-JwstLab-footprintScale').dataset.zoom).toBe('2.718');

    // Rows that need another window (a column filter, another search): their own
    // fit, not the old zoom. (With a cone, the window stays the cone's, and so does the zoom.)
    $(host, 'button.harness-filter').click();
    await waitFor(() =>
      expect(host.querySelectorAll('path.jp-JwstLab-footprint')).toHaveLength(8)
    );
    const refit = skyFrame(footprintsOf(rows.slice(0, 8)), null)!;
    expect(half(host)).toBeCloseTo(refit.half, 6);
    expect($(host, '.jp-JwstLab-footprintScale').dataset.zoom).toBe('1.000');
  });
});
