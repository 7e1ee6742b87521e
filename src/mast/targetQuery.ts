import { TranslationBundle } from '@jupyterlab/translation';

import { loadTrans } from '../translation';

/** What a MAST search box text means. */
export type TargetQuery =
  | { kind: 'empty' }
  | { kind: 'name'; name: string }
  /** ICRS coordinates in decimal degrees. */
  | { kind: 'coordinates'; ra: number; dec: number }
  | { kind: 'invalid'; message: string };

/** Characters that only appear in coordinates (digits, signs, separators, units). */
const COORDINATE_CHARACTERS = /^[\d\s.,:+\-hmsd°'"′″]+$/i;

const DECIMAL = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const UNSIGNED = String.raw`\d+(?:\.\d*)?`;

/** `83.82`, `83.82°` or `83.82d`. */
const DECIMAL_DEGREES = new RegExp(String.raw`^(${DECIMAL})\s*[°d]?$`, 'i');

/** `05:35:17.3` or `05:35.3` (the sign is captured separately). */
const COLON_SEXAGESIMAL = new RegExp(
  String.raw`^([+-]?)(\d+):(?:(\d+):(${UNSIGNED})|(${UNSIGNED}))$`
);

/** `05h35m17.3s -05d23m28s`, also with `°'"` and spaces between fields. */
const UNIT_SEXAGESIMAL = new RegExp(
  String.raw`^([+-]?)\s*(\d+)\s*h\s*(\d+)\s*m\s*(${UNSIGNED})\s*s?\s*,?\s*` +
    String.raw`([+-]?)\s*(\d+)\s*[d°]\s*(\d+)\s*['′m]\s*(${UNSIGNED})\s*(?:["″s]|'')?$`,
  'i'
);

const defaultTrans = loadTrans();

/**
 * Read a MAST search box: a target name, or coordinates in decimal degrees
 * (`83.82 -5.39`, `83.82, -5.39`) or sexagesimal (`05:35:17.3 -05:23:28`,
 * `05 35 17.3 -05 23 28`, `05h35m17.3s -05d23m28s`; RA in hours).
 *
 * Text made only of digits, signs and coordinate separators is read as
 * coordinates, and rejected with a reason when it is not valid; anything
 * else is a target name for MAST's name resolver.
 */
export function parseTargetQuery(
  text: string,
  trans: TranslationBundle = defaultTrans
): TargetQuery {
  const normalized = text
    .replace(/[\u2212\u2013]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  if (!normalized) {
    return { kind: 'empty' };
  }
  if (
    !/^[+\-.\d]/.test(normalized) ||
    !COORDINATE_CHARACTERS.test(normalized)
  ) {
    return { kind: 'name', name: normalized };
  }
  const parts = splitCoordinates(normalized);
  if (parts === null) {
    return {
      kind: 'invalid',
      message: trans.__(
        'Cannot read these coordinates. Give RA and Dec in degrees (83.82 -5.39) or sexagesimal (05:35:17.3 -05:23:28).'
      )
    };
  }
  return validate(parts, trans);
}

/**
 * The text that tells the user how a query was understood, e.g.
 * `Target name: NGC 3132` or `Coordinates: RA 83.8200°, Dec −5.3900°`.
 */
export function describeTargetQuery(
  query: TargetQuery,
  trans: TranslationBundle = defaultTrans
): string {
  switch (query.kind) {
    case 'empty':
      return '';
    case 'name':
      return trans.__('Target name: %1', query.name);
    case 'coordinates':
      return trans.__(
        'Coordinates: RA %1, Dec %2',
        formatRa(query.ra),
        formatDec(query.dec)
      );
    case 'invalid':
      return query.message;
  }
}

/** RA in degrees with four decimals, e.g. `83.8200°`. */
export function formatRa(ra: number): string {
  return `${ra.toFixed(4)}°`;
}

/** Dec in degrees with four decimals and an explicit sign, e.g. `−5.3900°` (true minus sign). */
export function formatDec(dec: number): string {
  const sign = dec < 0 ? '\u2212' : '+';
  return `${sign}${Math.abs(dec).toFixed(4)}°`;
}

/** RA and Dec as read, before range checks; sexagesimal fields are kept apart. */
interface ICoordinateParts {
  ra: AngleParts;
  dec: AngleParts;
}

/** One angle: either decimal degrees, or sign and sexagesimal fields. */
type AngleParts = { degrees: number } | { negative: boolean; fields: number[] };

/** Split `text` into RA and Dec in one of the accepted formats, or null. */
function splitCoordinates(text: string): ICoordinateParts | null {
  const units = UNIT_SEXAGESIMAL.exec(text);
  if (units) {
    return {
      ra: { negative: units[1] === '-', fields: units.slice(2, 5).map(Number) },
      dec: { negative: units[5] === '-', fields: units.slice(6, 9).map(Number) }
    };
  }
  let pair: string[];
  if (text.includes(',')) {
    pair = text.split(',').map(part => part.trim());
  } else {
    const tokens = text.split(' ');
    // `05 35 17.3 -05 23 28`: six space-separated sexagesimal fields.
    pair =
      tokens.length === 6
        ? [tokens.slice(0, 3).join(' '), tokens.slice(3).join(' ')]
        : tokens;
  }
  if (pair.length !== 2) {
    return null;
  }
  const ra = readAngle(pair[0]);
  const dec = readAngle(pair[1]);
  if (ra === null || dec === null || 'degrees' in ra !== 'degrees' in dec) {
    return null;
  }
  return { ra, dec };
}

function readAngle(text: string): AngleParts | null {
  const decimal = DECIMAL_DEGREES.exec(text);
  if (decimal) {
    return { degrees: Number(decimal[1]) };
  }
  // `05 35 17.3` is read like `05:35:17.3`.
  const sexagesimal = COLON_SEXAGESIMAL.exec(text.replace(/ /g, ':'));
  if (sexagesimal) {
    const fields = sexagesimal.slice(2).filter(field => field !== undefined);
    return { negative: sexagesimal[1] === '-', fields: fields.map(Number) };
  }
  return null;
}

function validate(
  { ra, dec }: ICoordinateParts,
  trans: TranslationBundle
): TargetQuery {
  const invalid = (message: string): TargetQuery => ({
    kind: 'invalid',
    message
  });
  for (const parts of [ra, dec]) {
    if ('fields' in parts && parts.fields.slice(1).some(field => field >= 60)) {
      return invalid(trans.__('Minutes and seconds must be less than 60.'));
    }
  }
  const raDegrees = 'degrees' in ra ? ra.degrees : 15 * sexagesimalValue(ra);
  const decDegrees = 'degrees' in dec ? dec.degrees : sexagesimalValue(dec);
  if (!(raDegrees >= 0 && raDegrees < 360)) {
    return invalid(
      'degrees' in ra
        ? trans.__('RA must be at least 0° and less than 360°.')
        : trans.__('RA must be at least 0h and less than 24h.')
    );
  }
  if (!(decDegrees >= -90 && decDegrees <= 90)) {
    return invalid(trans.__('Dec must be between −90° and +90°.'));
  }
  return { kind: 'coordinates', ra: raDegrees, dec: decDegrees };
}

/** The signed value of sexagesimal fields; the sign is the text's, so `-00:30` is negative. */
function sexagesimalValue(parts: {
  negative: boolean;
  fields: number[];
}): number {
  const magnitude = parts.fields.reduce(
    (total, field, index) => total + field / 60 ** index,
    0
  );
  return parts.negative ? -magnitude : magnitude;
}
