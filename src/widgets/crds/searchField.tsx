import * as React from 'react';

/** Props of {@link SearchField}. */
export interface ISearchFieldProps {
  label: string;
  /** The input's class, which tests and styles find it by. */
  className: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}

/** A labelled search box of the CRDS views (contexts, types, rules, changes). */
export function SearchField({
  label,
  className,
  value,
  onChange,
  placeholder
}: ISearchFieldProps): JSX.Element {
  return (
    <label className="jp-JwstLab-crdsFilter">
      <span>{label}</span>
      <input
        type="search"
        className={`jp-mod-styled ${className}`}
        value={value}
        onChange={event => onChange(event.currentTarget.value)}
        placeholder={placeholder}
      />
    </label>
  );
}
