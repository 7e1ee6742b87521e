/**
 * How MAST's tables read: column labels and widths, cell texts.
 */
import type { MastValue } from '../../api/models';

/** Human labels and widths of MAST's observation columns. */
export const COLUMN_INFO: Record<string, { label: string; width: number }> = {
  obs_id: { label: 'Observation', width: 220 },
  obsid: { label: 'obsid', width: 90 },
  target_name: { label: 'Target', width: 120 },
  s_ra: { label: 'RA (°)', width: 90 },
  s_dec: { label: 'Dec (°)', width: 90 },
  instrument_name: { label: 'Instrument', width: 110 },
  filters: { label: 'Filters', width: 100 },
  proposal_id: { label: 'Program', width: 70 },
  calib_level: { label: 'Level', width: 50 },
  dataRights: { label: 'Rights', width: 130 },
  t_min: { label: 'Start (UTC)', width: 130 },
  t_max: { label: 'End (UTC)', width: 130 },
  t_exptime: { label: 'Exp. time (s)', width: 90 },
  obs_collection: { label: 'Collection', width: 80 }
};

/** The MJD of the Unix epoch. */
const MJD_UNIX_EPOCH = 40587;

/** An MJD (MAST's `t_min`/`t_max`) as `YYYY-MM-DD HH:MM` UTC. */
export function formatMjd(mjd: number): string {
  const date = new Date((mjd - MJD_UNIX_EPOCH) * 86400000);
  if (Number.isNaN(date.getTime())) {
    return String(mjd);
  }
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** A cell's text: dates from MJD, coordinates to 5 decimals, nulls empty. */
export function formatCell(
  column: string,
  value: MastValue | undefined
): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    if ((column === 't_min' || column === 't_max') && value > 10000) {
      return formatMjd(value);
    }
    if (column === 's_ra' || column === 's_dec') {
      return value.toFixed(5);
    }
    return Number.isInteger(value)
      ? String(value)
      : String(Number(value.toPrecision(6)));
  }
  return String(value);
}

/** A table height that fits `rows` rows (and the header) up to `max` pixels. */
export function fitHeight(rows: number, max: number): number {
  return Math.min(max, (rows + 1) * 24 + 4);
}
