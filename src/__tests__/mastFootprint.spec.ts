import {
  circlePoints,
  formatTick,
  meanPosition,
  niceStep,
  parseSRegion,
  project,
  skyFrame,
  ticksBetween,
  unproject
} from '../mast/footprint';
import {
  basketItem,
  basketTotals,
  curlScript,
  isBasketItem,
  MastBasketModel,
  pythonScript
} from '../mast/basketModel';
import { filterByColumns, matchesFilter } from '../mast/columnFilter';
import { formatCell } from '../widgets/mast/cells';
import { makeObservation, makeProduct } from './mastFixtures';

/** A real JWST s_region (the demo's first MIRI exposure, from its cal file). */
const MIRI =
  'POLYGON ICRS  269.712934448 66.035651890 269.750516803 66.039082240 269.742076246 66.054346739 269.704472493 66.050914323';

describe('s_region parsing', () => {
  it('reads a JWST polygon, with or without a frame, dropping a repeated closing vertex', () => {
    const [polygon] = parseSRegion(MIRI);
    expect(polygon).toHaveLength(4);
    expect(polygon[0]).toEqual({ ra: 269.712934448, dec: 66.03565189 });
    // MAST's GSC1 regions repeat the first vertex at the end.
    const gsc = parseSRegion(
      'POLYGON GSC1 341.70420597  44.33842672 341.71320596  44.33571596 341.70943232  44.32930168 341.70042955  44.33201110 341.70420597  44.33842672'
    );
    expect(gsc[0]).toHaveLength(4);
    expect(parseSRegion('POLYGON 10 1 11 1 11 2')).toHaveLength(1);
  });

  it('reads mosaics as several polygons, circles as polygons, and nothing from junk', () => {
    const two = parseSRegion(`${MIRI} ${MIRI.replace('ICRS', 'ICRS ')}`);
    expect(two).toHaveLength(2);
    const [circle] = parseSRegion('CIRCLE ICRS 53.1 -27.8 0.01');
    expect(circle.length).toBeGreaterThan(20);
    for (const point of circle) {
      const plane = project(point, { ra: 53.1, dec: -27.8 })!;
      expect(Math.hypot(plane.x, plane.y)).toBeCloseTo(0.01, 5);
    }
    expect(parseSRegion(null)).toEqual([]);
    expect(parseSRegion('')).toEqual([]);
    expect(parseSRegion('POLYGON ICRS 1 2 3')).toEqual([]);
    expect(parseSRegion('BOX ICRS 1 2 3 4')).toEqual([]);
    expect(parseSRegion('POLYGON ICRS 1 95 2 95 3 96')).toEqual([]);
  });

  it('wraps RA into [0, 360)', () => {
    const [polygon] = parseSRegion('POLYGON ICRS -0.01 0 0.01 0 0.01 0.01');
    expect(polygon[0].ra).toBeCloseTo(359.99, 10);
  });
});

describe('tangent-plane projection', () => {
  it('puts the centre at the origin, east at +x and north at +y', () => {
    const centre = { ra: 150, dec: 2 };
    expect(project(centre, centre)).toEqual({ x: 0, y: 0 });
    const east = project({ ra: 150.1, dec: 2 }, centre)!;
    expect(east.x).toBeGreaterThan(0);
    expect(east.x).toBeCloseTo(0.1 * Math.cos((2 * Math.PI) / 180), 4);
    const north = project({ ra: 150, dec: 2.1 }, centre)!;
    expect(north.y).toBeCloseTo(0.1, 4);
    expect(north.x).toBeCloseTo(0, 10);
    expect(project({ ra: 330, dec: -2 }, centre)).toBeNull();
  });

  it('inverts exactly, across RA 0 and near the pole', () => {
    for (const centre of [
      { ra: 0.02, dec: -30 },
      { ra: 269.7, dec: 66 },
      { ra: 10, dec: 89.9 }
    ]) {
      for (const point of circlePoints({ ...centre, radius: 0.05 }, 8)) {
        const back = unproject(project(point, centre)!, centre);
        expect(back.dec).toBeCloseTo(point.dec, 9);
        const dra = ((back.ra - point.ra + 540) % 360) - 180;
        expect(dra).toBeCloseTo(0, 7);
      }
    }
  });

  it('averages directions, not numbers, across RA 0', () => {
    const mean = meanPosition([
      { ra: 359.9, dec: 0 },
      { ra: 0.1, dec: 0 }
    ])!;
    expect(Math.min(mean.ra, 360 - mean.ra)).toBeCloseTo(0, 9);
    expect(meanPosition([])).toBeNull();
  });
});

describe('sky frame and ticks', () => {
  it('frames footprints around the cone with nice RA and Dec ticks inside the window', () => {
    const footprints = [{ key: 'a', polygons: parseSRegion(MIRI) }];
    const cone = { ra: 269.7275, dec: 66.045, radius: 0.05 };
    const frame = skyFrame(footprints, cone)!;
    expect(frame.centre).toEqual(cone);
    // The window holds the cone (radius 0.05°) with a margin.
    expect(frame.half).toBeGreaterThan(0.05);
    expect(frame.half).toBeLessThan(0.06);
    expect(frame.decTicks.length).toBeGreaterThanOrEqual(2);
    expect(frame.raTicks.length).toBeGreaterThanOrEqual(2);
    for (const dec of frame.decTicks) {
      expect(Math.abs(dec - cone.dec)).toBeLessThanOrEqual(frame.half * 1.01);
    }
    // RA spans 1/cos(66°) ≈ 2.5 times the Dec span at this declination.
    expect(frame.raStep).toBeGreaterThan(frame.decStep);
    // Without a cone, the frame is centred on the footprints.
    const alone = skyFrame(footprints, null)!;
    expect(alone.centre.ra).toBeCloseTo(269.7275, 2);
    expect(alone.half).toBeLessThan(0.02);
    expect(skyFrame([], null)).toBeNull();
  });

  it('picks 1-2-5 steps and prints their multiples exactly', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(0.03, 4)).toBe(0.01);
    expect(niceStep(70, 4)).toBe(20);
    expect(ticksBetween(0.05, 0.35, 0.1)).toEqual([0.1, 0.2, 0.3]);
    expect(ticksBetween(-1.5, 1.5, 1)).toEqual([-1, 0, 1]);
    expect(formatTick(-27.8, 0.1)).toBe('\u221227.8°');
    expect(formatTick(269.75, 0.05)).toBe('269.75°');
  });
});

describe('basket', () => {
  const rowsOf = (obs: string) => [
    {
      ...makeProduct(`${obs}_cal.fits`, { size: 1_500_000 }),
      obs_id: obs,
      obs_collection: 'JWST'
    },
    {
      ...makeProduct(`${obs}_uncal.fits`, { size: 2_500_000 }),
      obs_id: obs,
      obs_collection: 'JWST',
      dataRights: 'EXCLUSIVE_ACCESS'
    }
  ];

  it('adds products of several observations once each and totals them', () => {
    const basket = new MastBasketModel();
    const saved: number[] = [];
    basket.saved.connect((_, items) => saved.push(items.length));
    expect(basket.add(rowsOf('jw1'), { obsid: '1', source: 'mast' })).toBe(2);
    expect(
      basket.add([...rowsOf('jw1'), ...rowsOf('jw2')], {
        obsid: '2',
        source: 'mast'
      })
    ).toBe(2);
    expect(basket.items.map(item => item.filename)).toEqual([
      'jw1_cal.fits',
      'jw1_uncal.fits',
      'jw2_cal.fits',
      'jw2_uncal.fits'
    ]);
    expect(basket.totals).toEqual({
      files: 4,
      observations: 2,
      bytes: 8_000_000,
      unknownSizes: 0
    });
    expect(basket.source).toBe('mast');
    basket.remove('mast:JWST/product/jw1_uncal.fits');
    expect(basket.totals.bytes).toBe(5_500_000);
    expect(saved).toEqual([2, 4, 3]);
    basket.clear();
    expect(basket.items).toEqual([]);
    basket.dispose();
  });

  it('counts unknown sizes apart and refuses mixed archives', () => {
    const unknown = basketItem(
      { ...makeProduct('a.fits'), size: null },
      { obsid: '1', source: 'local' }
    );
    expect(unknown.size).toBeNull();
    const known = basketItem(makeProduct('b.fits', { size: 10 }), {
      obsid: '2',
      source: 'mast'
    });
    expect(basketTotals([unknown, known])).toEqual({
      files: 2,
      observations: 2,
      bytes: 10,
      unknownSizes: 1
    });
    const basket = new MastBasketModel();
    basket.restore([unknown, known, { uri: 'x' }, unknown]);
    expect(basket.items).toHaveLength(2);
    expect(basket.source).toBeNull();
    expect(isBasketItem(JSON.parse(JSON.stringify(known)))).toBe(true);
    basket.dispose();
  });

  it('writes one curl per file where the download job puts it, the token only as $MAST_API_TOKEN', () => {
    const items = [
      ...rowsOf('jw1').map(row =>
        basketItem(row, { obsid: '1', source: 'mast' })
      ),
      basketItem(
        {
          ...makeProduct("it's.fits", { size: 5 }),
          obs_id: 'jw2',
          obs_collection: 'JWST'
        },
        {
          obsid: '2',
          source: 'mast',
          downloadUrl: 'http://mast.example/api/v0.1/Download/file?uri='
        }
      )
    ];
    const script = curlScript(items, 'data/mast/');
    const curls = script.split('\n').filter(line => line.startsWith('curl'));
    expect(curls).toEqual([
      "curl --fail --location --create-dirs -o 'data/mast/JWST/jw1/jw1_cal.fits' 'https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/jw1_cal.fits'",
      "curl --fail --location --create-dirs -H \"Authorization: token $MAST_API_TOKEN\" -o 'data/mast/JWST/jw1/jw1_uncal.fits' 'https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/jw1_uncal.fits'",
      `curl --fail --location --create-dirs -o 'data/mast/JWST/jw2/it'"'"'s.fits' 'http://mast.example/api/v0.1/Download/file?uri=mast:JWST/product/it'"'"'s.fits'`
    ]);
    expect(script).toContain('export MAST_API_TOKEN');
    expect(script).toContain('4.0 MB');
  });

  it('writes astroquery code that downloads to the same paths', () => {
    const items = [
      ...rowsOf('jw1').map(row =>
        basketItem(row, { obsid: '1', source: 'mast' })
      ),
      ...rowsOf('jw2')
        .slice(0, 1)
        .map(row => basketItem(row, { obsid: '2', source: 'mast' }))
    ];
    const code = pythonScript(items, '');
    expect(code).toContain(
      "'mast:JWST/product/jw2_cal.fits': './JWST/jw2/jw2_cal.fits',"
    );
    expect(code).toContain('Observations.download_file(uri, local_path=path)');
    expect(code).toContain('Observations.login()');
    expect(code.match(/: '\.\/JWST\//g)).toHaveLength(3);
    expect(pythonScript(items.slice(0, 1), 'x')).not.toContain('login');
  });
});

describe('column filters', () => {
  it('compares numbers and matches words', () => {
    expect(matchesFilter(3, '3', '>2')).toBe(true);
    expect(matchesFilter(3, '3', '<=2')).toBe(false);
    expect(matchesFilter(3, '3', '1..3')).toBe(true);
    expect(matchesFilter(3, '3', '=3')).toBe(true);
    expect(matchesFilter('MIRI/IMAGE', 'MIRI/IMAGE', 'miri')).toBe(true);
    expect(matchesFilter('MIRI/IMAGE', 'MIRI/IMAGE', '!image')).toBe(false);
    expect(matchesFilter(null, '', '>2')).toBe(false);
    expect(matchesFilter('x', 'x', '  ')).toBe(true);
  });

  it('filters rows on every column with the cells as shown', () => {
    const rows = [1, 2, 3].map(index =>
      makeObservation(index, { calib_level: index })
    );
    expect(filterByColumns(rows, {}, formatCell)).toBe(rows);
    expect(
      filterByColumns(rows, { calib_level: '>=2' }, formatCell)
    ).toHaveLength(2);
    // t_min is shown as a UTC date: the filter reads the date.
    const day = formatCell('t_min', rows[0].t_min).slice(0, 10);
    expect(
      filterByColumns(rows, { t_min: day, calib_level: '1' }, formatCell)
    ).toEqual([rows[0]]);
  });
});
