/**
 * The quick look's view of an image: pure maths, no DOM.
 *
 * Image coordinates are FITS's, 0-based: pixel `(i, j)` is centred on
 * `(i, j)` and covers `[i - 0.5, i + 0.5]`; `y` grows upwards. Screen
 * coordinates are CSS pixels from the viewport's top-left corner, `y`
 * downwards. A view is the image point at the viewport's centre and the
 * scale (screen pixels per image pixel): 1 is "1:1".
 */

/** What the viewport shows. */
export interface IView {
  /** Image x at the viewport's centre. */
  readonly cx: number;
  /** Image y at the viewport's centre. */
  readonly cy: number;
  /** Screen pixels per image pixel. */
  readonly scale: number;
}

/** A size in pixels. */
export interface ISize {
  readonly width: number;
  readonly height: number;
}

/** A point. */
export interface IPoint {
  readonly x: number;
  readonly y: number;
}

/** `x0, y0, x1, y1`: 0-based image pixels, ends excluded. */
export type Region = readonly [number, number, number, number];

/** Smallest and largest zoom (screen pixels per image pixel). */
export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

/** Zoom step of a button, a key or one wheel notch. */
export const ZOOM_STEP = 1.25;

/** `scale` within [MIN_SCALE, MAX_SCALE]. */
export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** The view that shows the whole image, centred, as large as the viewport allows. */
export function fitView(image: ISize, viewport: ISize): IView {
  const scale =
    image.width > 0 && image.height > 0
      ? Math.min(viewport.width / image.width, viewport.height / image.height)
      : 1;
  return {
    cx: (image.width - 1) / 2,
    cy: (image.height - 1) / 2,
    scale: clampScale(scale > 0 ? scale : 1)
  };
}

/** The screen position of image point `p`. */
export function imageToScreen(view: IView, viewport: ISize, p: IPoint): IPoint {
  return {
    x: viewport.width / 2 + (p.x - view.cx) * view.scale,
    y: viewport.height / 2 - (p.y - view.cy) * view.scale
  };
}

/** The image point under screen position `s`. */
export function screenToImage(view: IView, viewport: ISize, s: IPoint): IPoint {
  return {
    x: view.cx + (s.x - viewport.width / 2) / view.scale,
    y: view.cy - (s.y - viewport.height / 2) / view.scale
  };
}

/** The view moved by a drag of `(dx, dy)` screen pixels (the image follows the pointer). */
export function panBy(view: IView, dx: number, dy: number): IView {
  return {
    cx: view.cx - dx / view.scale,
    cy: view.cy + dy / view.scale,
    scale: view.scale
  };
}

/**
 * The view zoomed by `factor` (clamped), keeping the image point under
 * screen position `anchor` (default: the centre) where it is.
 */
export function zoomAt(
  view: IView,
  viewport: ISize,
  factor: number,
  anchor?: IPoint
): IView {
  const scale = clampScale(view.scale * factor);
  if (!anchor) {
    return { ...view, scale };
  }
  const fixed = screenToImage(view, viewport, anchor);
  return {
    cx: fixed.x - (anchor.x - viewport.width / 2) / scale,
    cy: fixed.y + (anchor.y - viewport.height / 2) / scale,
    scale
  };
}

/** The view centred on image point `p` at the same scale (or `scale`). */
export function centreOn(view: IView, p: IPoint, scale?: number): IView {
  return { cx: p.x, cy: p.y, scale: clampScale(scale ?? view.scale) };
}

/**
 * The image pixels the viewport shows, clipped to the image, as a region
 * (null when none of the image is visible).
 */
export function visibleRegion(
  view: IView,
  viewport: ISize,
  image: ISize
): Region | null {
  const topLeft = screenToImage(view, viewport, { x: 0, y: 0 });
  const bottomRight = screenToImage(view, viewport, {
    x: viewport.width,
    y: viewport.height
  });
  const x0 = Math.max(0, Math.floor(topLeft.x + 0.5));
  const x1 = Math.min(image.width, Math.ceil(bottomRight.x + 0.5));
  const y0 = Math.max(0, Math.floor(bottomRight.y + 0.5));
  const y1 = Math.min(image.height, Math.ceil(topLeft.y + 0.5));
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : null;
}

/**
 * The block-averaging factor `GET /previews?region=` uses for `region` at
 * `maxSize`: `ceil(max(width, height) / maxSize)` (at least 1).
 */
export function regionFactor(region: Region, maxSize: number): number {
  const longest = Math.max(region[2] - region[0], region[3] - region[1]);
  return Math.max(1, Math.ceil(longest / maxSize));
}

/**
 * Where a PNG of `region` (block-averaged by `factor`, `png` pixels wide and
 * high) goes on screen: its top-left corner and size. The PNG's first row is
 * the region's top (largest y).
 */
export function regionRect(
  view: IView,
  viewport: ISize,
  region: Region,
  factor: number,
  png: ISize
): { left: number; top: number; width: number; height: number } {
  const topLeft = imageToScreen(view, viewport, {
    x: region[0] - 0.5,
    y: region[1] + png.height * factor - 0.5
  });
  return {
    left: topLeft.x,
    top: topLeft.y,
    width: png.width * factor * view.scale,
    height: png.height * factor * view.scale
  };
}

/**
 * Whether the whole-image picture is too coarse for `view`: the overview
 * holds `overviewScale` of a pixel per image pixel; past that, the visible
 * region is worth fetching at screen resolution.
 */
export function needsDetail(view: IView, overviewScale: number): boolean {
  return view.scale > overviewScale * 1.01;
}

/** Degrees as sexagesimal text: hours for RA (`12:34:56.78`), degrees for Dec (`+12:34:56.7`). */
export function sexagesimal(degrees: number, hours: boolean): string {
  const sign = degrees < 0 ? '-' : hours ? '' : '+';
  let value = Math.abs(degrees) / (hours ? 15 : 1);
  const decimals = hours ? 2 : 1;
  const unit = Math.pow(10, decimals);
  // Round once, in the smallest unit shown, so 59.999 s carries into the minutes.
  let total = Math.round(value * 3600 * unit);
  if (hours) {
    total %= 24 * 3600 * unit;
  }
  const whole = Math.floor(total / (3600 * unit));
  total -= whole * 3600 * unit;
  const minutes = Math.floor(total / (60 * unit));
  total -= minutes * 60 * unit;
  value = total / unit;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const seconds = value.toFixed(decimals).padStart(3 + decimals, '0');
  return `${sign}${pad(whole, 2)}:${pad(minutes, 2)}:${seconds}`;
}
