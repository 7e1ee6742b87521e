import {
  describeTargetQuery,
  formatDec,
  parseTargetQuery,
  TargetQuery
} from '../mast/targetQuery';

/** The coordinates `text` parses to, failing the test when it is not coordinates. */
function coordinates(text: string): { ra: number; dec: number } {
  const query = parseTargetQuery(text);
  if (query.kind !== 'coordinates') {
    throw new Error(
      `${JSON.stringify(text)} parsed as ${JSON.stringify(query)}`
    );
  }
  return query;
}

function invalidMessage(text: string): string {
  const query = parseTargetQuery(text);
  if (query.kind !== 'invalid') {
    throw new Error(
      `${JSON.stringify(text)} parsed as ${JSON.stringify(query)}`
    );
  }
  return query.message;
}

// 05h35m17.3s -05d23m28s in degrees.
const ORION_RA = (5 + 35 / 60 + 17.3 / 3600) * 15;
const ORION_DEC = -(5 + 23 / 60 + 28 / 3600);

describe('parseTargetQuery', () => {
  it('reads blank text as empty', () => {
    expect(parseTargetQuery('')).toEqual({ kind: 'empty' });
    expect(parseTargetQuery('   ')).toEqual({ kind: 'empty' });
  });

  it.each([
    ['NGC 3132', 'NGC 3132'],
    ['  M 16 ', 'M 16'],
    ['M16', 'M16'],
    ['3C 273', '3C 273'],
    ['47   Tuc', '47 Tuc'],
    ['2MASS J05351729-0523283', '2MASS J05351729-0523283'],
    ['hd 1', 'hd 1']
  ])('reads %j as the target name %j', (text, name) => {
    expect(parseTargetQuery(text)).toEqual({ kind: 'name', name });
  });

  it.each([
    ['83.82 -5.39', 83.82, -5.39],
    ['83.82, -5.39', 83.82, -5.39],
    ['83.82,-5.39', 83.82, -5.39],
    ['  0 +90 ', 0, 90],
    ['359.9 -90', 359.9, -90],
    ['.5 .25', 0.5, 0.25],
    ['83.82° -5.39°', 83.82, -5.39],
    ['83.82 \u22125.39', 83.82, -5.39]
  ])('reads %j as decimal degrees', (text, ra, dec) => {
    expect(parseTargetQuery(text)).toEqual({ kind: 'coordinates', ra, dec });
  });

  it.each([
    '05:35:17.3 -05:23:28',
    '05:35:17.3, -05:23:28',
    '05 35 17.3 -05 23 28',
    '05h35m17.3s -05d23m28s',
    '05h 35m 17.3s, -05° 23\' 28"',
    '5h35m17.3s \u22125d23m28s'
  ])('reads %j as sexagesimal RA (hours) and Dec', text => {
    const { ra, dec } = coordinates(text);
    expect(ra).toBeCloseTo(ORION_RA, 9);
    expect(dec).toBeCloseTo(ORION_DEC, 9);
  });

  it('keeps the sign of a Dec whose degrees are zero', () => {
    const { dec } = coordinates('12:00:00 -00:30:00');
    expect(dec).toBeCloseTo(-0.5, 9);
  });

  it('reads hh:mm.m and dd:mm.m', () => {
    const { ra, dec } = coordinates('10:30.5 +20:15.5');
    expect(ra).toBeCloseTo((10 + 30.5 / 60) * 15, 9);
    expect(dec).toBeCloseTo(20 + 15.5 / 60, 9);
  });

  it.each(['83.82 95', '83.82 -90.5', '10 -91', '00:00:00 +90:00:01'])(
    'rejects the Dec of %j',
    text => {
      expect(invalidMessage(text)).toMatch(/^Dec must be between/);
    }
  );

  it.each(['360 0', '400 10', '-1 10', '-0.5, 10'])(
    'rejects the decimal RA of %j',
    text => {
      expect(invalidMessage(text)).toMatch(
        /^RA must be at least 0° and less than 360°/
      );
    }
  );

  it.each(['24:00:00 +10:00:00', '25h00m00s +10d00m00s'])(
    'rejects the sexagesimal RA of %j',
    text => {
      expect(invalidMessage(text)).toMatch(
        /^RA must be at least 0h and less than 24h/
      );
    }
  );

  it.each(['05:60:00 -05:00:00', '05:35:17 -05:23:60', '05h35m60s -05d23m28s'])(
    'rejects minutes or seconds of 60 or more in %j',
    text => {
      expect(invalidMessage(text)).toMatch(/less than 60/);
    }
  );

  it.each([
    '83.82',
    '83.82 -5.39 12',
    '1 2 3',
    '05:35:17.3 -5.39',
    '83..82 -5',
    '-',
    '12,'
  ])('rejects %j as unreadable coordinates', text => {
    expect(invalidMessage(text)).toMatch(/^Cannot read these coordinates/);
  });
});

describe('describeTargetQuery', () => {
  it.each<[TargetQuery, string]>([
    [{ kind: 'empty' }, ''],
    [{ kind: 'name', name: 'NGC 3132' }, 'Target name: NGC 3132'],
    [
      { kind: 'coordinates', ra: 83.82, dec: -5.39 },
      'Coordinates: RA 83.8200°, Dec \u22125.3900°'
    ],
    [
      { kind: 'coordinates', ra: 0, dec: 12.5 },
      'Coordinates: RA 0.0000°, Dec +12.5000°'
    ],
    [
      { kind: 'invalid', message: 'Dec must be between −90° and +90°.' },
      'Dec must be between −90° and +90°.'
    ]
  ])('describes %j as %j', (query, text) => {
    expect(describeTargetQuery(query)).toBe(text);
  });

  it('describes parsed sexagesimal input in degrees', () => {
    expect(describeTargetQuery(parseTargetQuery('05:35:17.3 -05:23:28'))).toBe(
      'Coordinates: RA 83.8221°, Dec \u22125.3911°'
    );
  });

  it('writes negative Dec with a true minus sign', () => {
    expect(formatDec(-0.25)).toBe('\u22120.2500°');
  });
});
