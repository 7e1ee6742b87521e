/**
 * The maths of the spectrum plots, kept free of React and the DOM so jest
 * checks it directly: data extents, nice ticks, linear scales, the SVG paths
 * of a line with gaps and of its error band, the nearest point to the
 * pointer, zooming a range, and wavelength ticks along an image's columns.
 */
import { decimalsOf, niceStep, ticksBetween } from '../../mast/footprint';

/** A closed interval `[min, max]` of data values. */
export interface IRange {
  min: number;
  max: number;
}

/** A value that may be missing (a NaN in the file is null in JSON). */
export type MaybeNumber = number | null;

function finite(value: MaybeNumber | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The smallest and largest finite values, the band `value ± error` included
 * when `errors` is given; null when there is no finite value at all.
 */
export function extent(
  values: readonly MaybeNumber[],
  errors?: readonly MaybeNumber[] | null
): IRange | null {
  let min = Infinity;
  let max = -Infinity;
  values.forEach((value, i) => {
    if (!finite(value)) {
      return;
    }
    const error = errors?.[i];
    const spread = finite(error) ? Math.abs(error) : 0;
    min = Math.min(min, value - spread);
    max = Math.max(max, value + spread);
  });
  return min <= max ? { min, max } : null;
}

/** `range` widened by `fraction` of its span on each side (a flat range by ±1 or ±|v|/10). */
export function padRange(range: IRange, fraction = 0.05): IRange {
  const span = range.max - range.min;
  if (span > 0) {
    return {
      min: range.min - span * fraction,
      max: range.max + span * fraction
    };
  }
  const half = range.min === 0 ? 1 : Math.abs(range.min) / 10;
  return { min: range.min - half, max: range.max + half };
}

/**
 * Nice tick values (1, 2, 5 × 10^n steps, as the footprint's sky axes use)
 * inside `range`, about `count` of them.
 */
export function niceTicks(
  range: IRange,
  count = 5
): { ticks: number[]; step: number } {
  const span = range.max - range.min;
  if (!(span > 0) || !Number.isFinite(span) || count < 1) {
    return { ticks: finite(range.min) ? [range.min] : [], step: 0 };
  }
  const step = niceStep(span, count);
  return { ticks: ticksBetween(range.min, range.max, step), step };
}

/** A tick label with as many decimals as the step needs (exponent form for extremes). */
export function formatTick(value: number, step: number): string {
  if (value === 0) {
    return '0';
  }
  const size = Math.max(Math.abs(value), Math.abs(step));
  if (size >= 1e5 || size < 1e-3) {
    const digits = Math.max(
      0,
      Math.min(6, Math.floor(Math.log10(size)) - Math.floor(Math.log10(step)))
    );
    return value.toExponential(digits);
  }
  return value.toFixed(step > 0 ? decimalsOf(step) : 3);
}

/** A value with about `digits` significant digits, for readouts. */
export function formatValue(value: MaybeNumber, digits = 5): string {
  if (!finite(value)) {
    return '—';
  }
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e6 || size < 1e-3)) {
    // Through toPrecision, so 5e-5 does not print as 5.0000e-5.
    return Number(value.toPrecision(digits)).toExponential();
  }
  return Number(value.toPrecision(digits)).toString();
}

/** A linear map from a data range onto a pixel range (`to.min` may exceed `to.max`). */
export function scaleLinear(
  from: IRange,
  to: IRange
): (value: number) => number {
  const span = from.max - from.min || 1;
  const ratio = (to.max - to.min) / span;
  return value => to.min + (value - from.min) * ratio;
}

/** The inverse of {@link scaleLinear}: a pixel back to a data value. */
export function invertLinear(
  from: IRange,
  to: IRange
): (pixel: number) => number {
  const span = to.max - to.min || 1;
  const ratio = (from.max - from.min) / span;
  return pixel => from.min + (pixel - to.min) * ratio;
}

function point(x: number, y: number): string {
  return `${Number(x.toFixed(2))},${Number(y.toFixed(2))}`;
}

/**
 * The SVG path `d` of a polyline through the points whose x and y are both
 * finite; a missing point breaks the line (a gap stays a gap).
 */
export function linePath(
  xs: readonly MaybeNumber[],
  ys: readonly MaybeNumber[],
  sx: (value: number) => number,
  sy: (value: number) => number
): string {
  const parts: string[] = [];
  let drawing = false;
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i];
    const y = ys[i];
    if (!finite(x) || !finite(y)) {
      drawing = false;
      continue;
    }
    parts.push(`${drawing ? 'L' : 'M'}${point(sx(x), sy(y))}`);
    drawing = true;
  }
  return parts.join('');
}

/**
 * The SVG path `d` of the band `y ± error`: one closed polygon per run of
 * points where x, y and the error are finite (upper edge forwards, lower
 * edge backwards). Empty when nothing has an error.
 */
export function bandPath(
  xs: readonly MaybeNumber[],
  ys: readonly MaybeNumber[],
  errors: readonly MaybeNumber[],
  sx: (value: number) => number,
  sy: (value: number) => number
): string {
  const polygons: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) {
      const upper = run.map(i =>
        point(
          sx(xs[i] as number),
          sy((ys[i] as number) + Math.abs(errors[i] as number))
        )
      );
      const lower = run
        .slice()
        .reverse()
        .map(i =>
          point(
            sx(xs[i] as number),
            sy((ys[i] as number) - Math.abs(errors[i] as number))
          )
        );
      polygons.push(`M${[...upper, ...lower].join('L')}Z`);
    }
    run = [];
  };
  const count = Math.min(xs.length, ys.length, errors.length);
  for (let i = 0; i < count; i++) {
    if (finite(xs[i]) && finite(ys[i]) && finite(errors[i])) {
      run.push(i);
    } else {
      flush();
    }
  }
  flush();
  return polygons.join('');
}

/** The index of the point with a finite y whose x is nearest `x`; -1 when none is. */
export function nearestIndex(
  xs: readonly MaybeNumber[],
  ys: readonly MaybeNumber[],
  x: number
): number {
  let best = -1;
  let distance = Infinity;
  for (let i = 0; i < xs.length; i++) {
    const value = xs[i];
    if (!finite(value) || !finite(ys[i])) {
      continue;
    }
    const d = Math.abs(value - x);
    if (d < distance) {
      distance = d;
      best = i;
    }
  }
  return best;
}

/**
 * `range` zoomed by `factor` (< 1 zooms in) around `centre`, kept inside
 * `limits`, and never narrower than `minSpan`.
 */
export function zoomRange(
  range: IRange,
  centre: number,
  factor: number,
  limits: IRange,
  minSpan = 0
): IRange {
  const span = Math.max(minSpan, (range.max - range.min) * factor);
  const limitSpan = limits.max - limits.min;
  if (span >= limitSpan) {
    return { ...limits };
  }
  const left = (centre - range.min) / (range.max - range.min || 1);
  let min = centre - span * left;
  let max = min + span;
  if (min < limits.min) {
    min = limits.min;
    max = min + span;
  }
  if (max > limits.max) {
    max = limits.max;
    min = max - span;
  }
  return { min, max };
}

/** The range between two pointer positions in data units, or null when too narrow. */
export function dragRange(
  a: number,
  b: number,
  minSpan: number
): IRange | null {
  const min = Math.min(a, b);
  const max = Math.max(a, b);
  return max - min > minSpan ? { min, max } : null;
}

/**
 * Where wavelength ticks go along an image whose column `i` has the
 * wavelength `wavelengths[i]` (nulls allowed; increasing or decreasing):
 * each tick's fractional column (0 = left edge of column 0, `n` = right
 * edge of the last) by linear interpolation between the columns around it.
 */
export function wavelengthTicks(
  wavelengths: readonly MaybeNumber[],
  count = 6
): { value: number; column: number; label: string }[] {
  const known: [number, number][] = [];
  wavelengths.forEach((value, column) => {
    if (finite(value)) {
      known.push([column + 0.5, value]);
    }
  });
  const range = extent(known.map(([, value]) => value));
  if (range === null || known.length < 2) {
    return [];
  }
  const { ticks, step } = niceTicks(range, count);
  const found: { value: number; column: number; label: string }[] = [];
  for (const value of ticks) {
    for (let k = 0; k + 1 < known.length; k++) {
      const [c0, w0] = known[k];
      const [c1, w1] = known[k + 1];
      if ((value - w0) * (value - w1) <= 0 && w0 !== w1) {
        const column = c0 + ((value - w0) / (w1 - w0)) * (c1 - c0);
        found.push({ value, column, label: formatTick(value, step) });
        break;
      }
    }
  }
  return found;
}

/** A unit as people write it (`µm` for `um`), or nothing. */
export function unitText(unit: string | null | undefined): string {
  if (!unit) {
    return '';
  }
  return unit === 'um' || unit === 'micron' ? 'µm' : unit;
}

/** A unit for an axis title: ` [µm]`, or nothing. */
export function unitLabel(unit: string | null | undefined): string {
  return unit ? ` [${unitText(unit)}]` : '';
}

/** A value and its unit for a readout: `4.96 µm`. */
export function withUnit(
  value: MaybeNumber,
  unit: string | null | undefined,
  digits = 5
): string {
  const text = unitText(unit);
  return text
    ? `${formatValue(value, digits)} ${text}`
    : formatValue(value, digits);
}
