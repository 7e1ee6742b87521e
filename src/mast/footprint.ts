/**
 * Sky footprints of MAST observations: their `s_region` text read into
 * polygons, and the tangent-plane projection, frame and RA/Dec ticks the
 * footprint view draws them with. No network: everything from the rows.
 */

/** A point on the sky, degrees (ICRS). */
export interface ISkyPoint {
  ra: number;
  dec: number;
}

/** A cone: centre and radius in degrees. */
export interface ICone extends ISkyPoint {
  radius: number;
}

/** Points of the circles `s_region` and cones are drawn with. */
const CIRCLE_POINTS = 48;

const DEG = Math.PI / 180;

/**
 * The polygons of an `s_region` (ObsCore STC-S as MAST writes it):
 * `POLYGON ICRS 53.1 -27.8 53.2 -27.8 ...`, several `POLYGON`s in a row
 * (mosaics), `CIRCLE ICRS ra dec r` (drawn as a polygon). The frame word is
 * optional and not converted (MAST's JWST regions are ICRS; older missions'
 * GSC1 differs by far less than a footprint). A repeated closing vertex is
 * dropped; shapes with too few numbers are skipped; anything else yields [].
 */
export function parseSRegion(text: unknown): ISkyPoint[][] {
  if (typeof text !== 'string') {
    return [];
  }
  const shapes: { kind: string; numbers: number[] }[] = [];
  for (const token of text.trim().split(/[\s,]+/)) {
    const upper = token.toUpperCase();
    if (upper === 'POLYGON' || upper === 'CIRCLE') {
      shapes.push({ kind: upper, numbers: [] });
    } else if (
      shapes.length > 0 &&
      /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token)
    ) {
      shapes[shapes.length - 1].numbers.push(Number(token));
    }
    // Frame names (ICRS, FK5, GSC1...) and other words are skipped.
  }
  const polygons: ISkyPoint[][] = [];
  for (const { kind, numbers } of shapes) {
    if (kind === 'CIRCLE') {
      if (numbers.length >= 3 && numbers[2] > 0) {
        polygons.push(
          circlePoints({ ra: numbers[0], dec: numbers[1], radius: numbers[2] })
        );
      }
      continue;
    }
    const points: ISkyPoint[] = [];
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      points.push({ ra: normalizeRa(numbers[i]), dec: numbers[i + 1] });
    }
    const first = points[0];
    const last = points[points.length - 1];
    if (points.length > 1 && first.ra === last.ra && first.dec === last.dec) {
      points.pop();
    }
    if (points.length >= 3 && points.every(p => Math.abs(p.dec) <= 90)) {
      polygons.push(points);
    }
  }
  return polygons;
}

/** RA in [0, 360). */
export function normalizeRa(ra: number): number {
  const wrapped = ra % 360;
  return wrapped < 0 ? wrapped + 360 : wrapped;
}

/** The points of a small circle on the sky around `cone`'s centre. */
export function circlePoints(cone: ICone, count = CIRCLE_POINTS): ISkyPoint[] {
  const points: ISkyPoint[] = [];
  const dec0 = cone.dec * DEG;
  const ra0 = cone.ra * DEG;
  const r = cone.radius * DEG;
  for (let i = 0; i < count; i++) {
    const bearing = (2 * Math.PI * i) / count;
    // The point at angular distance r and position angle `bearing` (north through east).
    const dec = Math.asin(
      Math.sin(dec0) * Math.cos(r) +
        Math.cos(dec0) * Math.sin(r) * Math.cos(bearing)
    );
    const ra =
      ra0 +
      Math.atan2(
        Math.sin(bearing) * Math.sin(r) * Math.cos(dec0),
        Math.cos(r) - Math.sin(dec0) * Math.sin(dec)
      );
    points.push({ ra: normalizeRa(ra / DEG), dec: dec / DEG });
  }
  return points;
}

/** The mean direction of points (RA wraps at 0/360 correctly). */
export function meanPosition(points: readonly ISkyPoint[]): ISkyPoint | null {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const p of points) {
    const cosDec = Math.cos(p.dec * DEG);
    x += cosDec * Math.cos(p.ra * DEG);
    y += cosDec * Math.sin(p.ra * DEG);
    z += Math.sin(p.dec * DEG);
  }
  const norm = Math.hypot(x, y, z);
  if (points.length === 0 || norm === 0) {
    return null;
  }
  return {
    ra: normalizeRa(Math.atan2(y, x) / DEG),
    dec: Math.asin(z / norm) / DEG
  };
}

/** Tangent-plane (gnomonic) coordinates in degrees: `x` grows east, `y` north. */
export interface IPlanePoint {
  x: number;
  y: number;
}

/**
 * The gnomonic (TAN) projection about `centre`: standard coordinates ξ (east)
 * and η (north) in degrees, or null for a point 90° or more away.
 */
export function project(
  point: ISkyPoint,
  centre: ISkyPoint
): IPlanePoint | null {
  const dec = point.dec * DEG;
  const dec0 = centre.dec * DEG;
  const dra = (point.ra - centre.ra) * DEG;
  const cosC =
    Math.sin(dec0) * Math.sin(dec) +
    Math.cos(dec0) * Math.cos(dec) * Math.cos(dra);
  if (cosC <= 1e-6) {
    return null;
  }
  return {
    x: (Math.cos(dec) * Math.sin(dra)) / cosC / DEG,
    y:
      (Math.cos(dec0) * Math.sin(dec) -
        Math.sin(dec0) * Math.cos(dec) * Math.cos(dra)) /
      cosC /
      DEG
  };
}

/** The inverse of {@link project}: the sky position of plane coordinates (degrees). */
export function unproject(plane: IPlanePoint, centre: ISkyPoint): ISkyPoint {
  const xi = plane.x * DEG;
  const eta = plane.y * DEG;
  const dec0 = centre.dec * DEG;
  const denominator = Math.cos(dec0) - eta * Math.sin(dec0);
  const ra = centre.ra * DEG + Math.atan2(xi, denominator);
  const dec = Math.atan2(
    Math.sin(dec0) + eta * Math.cos(dec0),
    Math.hypot(xi, denominator)
  );
  return { ra: normalizeRa(ra / DEG), dec: dec / DEG };
}

/** A "nice" step (1, 2 or 5 × 10ⁿ) that cuts `span` into about `count` parts. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) {
    return 1;
  }
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice =
    fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
  return nice * power;
}

/** The multiples of `step` in [low, high]. */
export function ticksBetween(
  low: number,
  high: number,
  step: number
): number[] {
  const ticks: number[] = [];
  const first = Math.ceil(low / step - 1e-9);
  for (
    let k = first;
    k * step <= high + step * 1e-9 && ticks.length < 50;
    k++
  ) {
    // Rounded to the step's decimals, so 0.1 + 0.2 prints as 0.3.
    ticks.push(Number((k * step).toFixed(decimalsOf(step))));
  }
  return ticks;
}

/** Decimals needed to print multiples of `step` exactly. */
export function decimalsOf(step: number): number {
  return Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
}

/** What the footprint view draws: one observation's polygons. */
export interface IFootprint {
  key: string;
  polygons: ISkyPoint[][];
}

/** A frame on the tangent plane: centre, extent (degrees) and axis ticks. */
export interface ISkyFrame {
  centre: ISkyPoint;
  /** Half-width of the square plane window, degrees (ξ and η in [-half, half]). */
  half: number;
  /** RA ticks (degrees in [0, 360)) and the step between them. */
  raTicks: number[];
  raStep: number;
  /** Dec ticks (degrees) and the step between them. */
  decTicks: number[];
  decStep: number;
}

/** The narrowest window the view zooms to: 1″ half-width. */
export const MIN_HALF = 1 / 3600;

/** The widest window: 60° half-width (the projection bends beyond). */
export const MAX_HALF = 60;

/** The window's half-width kept within [{@link MIN_HALF}, {@link MAX_HALF}]. */
export function clampHalf(half: number): number {
  return Number.isFinite(half)
    ? Math.min(MAX_HALF, Math.max(MIN_HALF, half))
    : MAX_HALF;
}

/** What part of the sky a view shows: its tangent point and half-width (degrees). */
export interface ISkyView {
  centre: ISkyPoint;
  half: number;
}

/**
 * The square window that shows every footprint and the cone, with 8 %
 * margins, centred on the cone when there is one (else on the footprints'
 * mean direction), and its RA/Dec ticks. Null when there is nothing to show.
 */
export function skyFrame(
  footprints: readonly IFootprint[],
  cone: ICone | null
): ISkyFrame | null {
  const points: ISkyPoint[] = [];
  for (const footprint of footprints) {
    for (const polygon of footprint.polygons) {
      points.push(...polygon);
    }
  }
  const coneEdge = cone ? circlePoints(cone, 16) : [];
  const centre = cone ?? meanPosition(points);
  if (!centre) {
    return null;
  }
  let half = 0;
  for (const point of [...points, ...coneEdge]) {
    const plane = project(point, centre);
    if (plane) {
      half = Math.max(half, Math.abs(plane.x), Math.abs(plane.y));
    }
  }
  // At least 1 arcmin across; at most 60° (the projection bends beyond).
  return frameAt({
    centre,
    half: Math.min(MAX_HALF, Math.max(half * 1.08, 1 / 120))
  });
}

/** The frame of a view: its window and the RA/Dec ticks over the window's edge. */
export function frameAt(view: ISkyView): ISkyFrame {
  const centre = view.centre;
  const half = clampHalf(view.half);
  // RA and Dec ranges over the window's edge (RA relative to the centre, unwrapped).
  let raLow = Infinity;
  let raHigh = -Infinity;
  let decLow = Infinity;
  let decHigh = -Infinity;
  const steps = 16;
  for (let i = 0; i <= steps; i++) {
    const t = -half + (2 * half * i) / steps;
    for (const plane of [
      { x: t, y: -half },
      { x: t, y: half },
      { x: -half, y: t },
      { x: half, y: t }
    ]) {
      const sky = unproject(plane, centre);
      const dra = ((sky.ra - centre.ra + 540) % 360) - 180;
      raLow = Math.min(raLow, dra);
      raHigh = Math.max(raHigh, dra);
      decLow = Math.min(decLow, sky.dec);
      decHigh = Math.max(decHigh, sky.dec);
    }
  }
  const decStep = niceStep(decHigh - decLow, 4);
  const decTicks = ticksBetween(decLow, decHigh, decStep);
  // RA labels are wider than Dec's: fewer of them, so they never touch.
  const raStep = niceStep(raHigh - raLow, 3);
  const raTicks = ticksBetween(
    centre.ra + raLow,
    centre.ra + raHigh,
    raStep
  ).map(ra => Number(normalizeRa(ra).toFixed(decimalsOf(raStep))));
  return { centre, half, raTicks, raStep, decTicks, decStep };
}

/**
 * The view moved so that its new centre is the sky point at `offset` on the
 * current view's tangent plane (degrees; `x` east, `y` north). The window's
 * width is kept. Moving the tangent point (rather than sliding the window on
 * a fixed plane) keeps north up and the axes right wherever the view goes.
 */
export function panView(view: ISkyView, offset: IPlanePoint): ISkyView {
  return { centre: unproject(offset, view.centre), half: view.half };
}

/**
 * The view zoomed by `factor` (> 1 zooms in), keeping the sky point at
 * `anchor` on the current plane (the pointer, or the centre) where it is in
 * the window. The half-width stays within [MIN_HALF, MAX_HALF].
 */
export function zoomView(
  view: ISkyView,
  factor: number,
  anchor: IPlanePoint = { x: 0, y: 0 }
): ISkyView {
  const half = clampHalf(view.half / (factor > 0 ? factor : 1));
  const ratio = half / view.half;
  const sky = unproject(anchor, view.centre);
  // Where the anchor must be on the new plane to stay at the same place in the window.
  const target = { x: anchor.x * ratio, y: anchor.y * ratio };
  let centre = unproject(
    { x: anchor.x - target.x, y: anchor.y - target.y },
    view.centre
  );
  // The tangent plane turns as its point moves (strongly near a pole): Newton
  // steps on the plane offset of the centre make the anchor exact.
  for (let i = 0; i < 8; i++) {
    const at = project(sky, centre);
    if (!at) {
      break;
    }
    const error = { x: at.x - target.x, y: at.y - target.y };
    if (Math.hypot(error.x, error.y) < 1e-12 * half) {
      break;
    }
    const eps = 1e-6 * half;
    const dx = project(sky, unproject({ x: eps, y: 0 }, centre));
    const dy = project(sky, unproject({ x: 0, y: eps }, centre));
    if (!dx || !dy) {
      break;
    }
    const a = (dx.x - at.x) / eps;
    const b = (dy.x - at.x) / eps;
    const c = (dx.y - at.y) / eps;
    const d = (dy.y - at.y) / eps;
    const det = a * d - b * c;
    if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
      break;
    }
    centre = unproject(
      {
        x: (-error.x * d + error.y * b) / det,
        y: (error.x * c - error.y * a) / det
      },
      centre
    );
  }
  return { centre, half };
}

/** A tick label: degrees with the step's decimals, e.g. `53.15°` or `−27.80°`. */
export function formatTick(value: number, step: number): string {
  const text = value.toFixed(decimalsOf(step));
  return `${text.replace('-', '\u2212')}°`;
}
