import * as React from 'react';

/** Props of {@link KeyValueTable}. */
export interface IKeyValueTableProps {
  /** Class of the table. */
  className: string;
  /** Each row: its name (a row header) and its value. */
  rows: readonly (readonly [string, React.ReactNode])[];
}

/** A two-column table of named values (versions, a job's provenance). */
export function KeyValueTable({
  className,
  rows
}: IKeyValueTableProps): JSX.Element {
  return (
    <table className={className}>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
