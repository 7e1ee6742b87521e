import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { CapabilityNote } from '../components/CapabilityNote';
import { EmptyState } from '../components/EmptyState';
import { mastIcon } from '../icons';
import {
  describeTargetQuery,
  parseTargetQuery,
  TargetQuery
} from '../mast/targetQuery';
import {
  Features,
  IJwstLabClient,
  PanelIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { JwstLabSidePanel } from './panel';
import { capabilityNotice, useServerInfo } from './serverInfo';

/** Largest search radius the form accepts, in arcmin. */
export const MAX_RADIUS_ARCMIN = 60;

/** Search radius used when no setting says otherwise, in degrees (3 arcmin). */
export const DEFAULT_RADIUS_DEG = 0.05;

/** A search the user submitted: a target to resolve or coordinates, and a cone radius. */
export interface IMastSearchRequest {
  target: Extract<TargetQuery, { kind: 'name' | 'coordinates' }>;
  /** Cone radius in degrees. */
  radius: number;
}

/**
 * The MAST sidebar panel: a target/coordinates search form.
 *
 * Submitting a valid search emits `searchRequested`; the form is enabled only
 * when the server lists the `mast` feature.
 */
export class MastPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: MastPanel.IOptions) {
    const translator = options.translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    super({
      id: PanelIds.mast,
      label: trans.__('MAST Search'),
      caption: trans.__(
        'MAST Search: find JWST observations by target or coordinates'
      ),
      icon: mastIcon,
      translator
    });
    this._client = options.client;
    this._jwstTrans = trans;
    this._defaultRadius = options.defaultRadius ?? DEFAULT_RADIUS_DEG;
  }

  /** The radius the form starts with, in degrees. */
  get defaultRadius(): number {
    return this._defaultRadius;
  }

  set defaultRadius(degrees: number) {
    if (degrees === this._defaultRadius) {
      return;
    }
    this._defaultRadius = degrees;
    this.updateBody();
  }

  /** Emitted when the user submits a valid search. */
  get searchRequested(): ISignal<this, IMastSearchRequest> {
    return this._searchRequested;
  }

  protected renderBody(): React.ReactElement {
    return (
      <MastSearchView
        client={this._client}
        trans={this._jwstTrans}
        defaultRadius={this._defaultRadius}
        onSearch={request => this._searchRequested.emit(request)}
      />
    );
  }

  private readonly _client: IJwstLabClient;
  private readonly _jwstTrans: TranslationBundle;
  private _defaultRadius: number;
  private _searchRequested = new Signal<this, IMastSearchRequest>(this);
}

/** The namespace for `MastPanel` statics. */
export namespace MastPanel {
  /** Options to create the MAST panel. */
  export interface IOptions {
    client: IJwstLabClient;
    /** Initial search radius in degrees. */
    defaultRadius?: number;
    translator?: ITranslator;
  }
}

interface IMastSearchViewProps {
  client: IJwstLabClient;
  trans: TranslationBundle;
  defaultRadius: number;
  onSearch: (request: IMastSearchRequest) => void;
}

function MastSearchView({
  client,
  trans,
  defaultRadius,
  onSearch
}: IMastSearchViewProps): JSX.Element {
  const { state } = useServerInfo(client);
  const [text, setText] = React.useState('');
  const [radiusText, setRadiusText] = React.useState(() =>
    formatArcmin(defaultRadius)
  );
  React.useEffect(
    () => setRadiusText(formatArcmin(defaultRadius)),
    [defaultRadius]
  );

  const queryHintId = React.useId();
  const radiusErrorId = React.useId();
  const query = React.useMemo(
    () => parseTargetQuery(text, trans),
    [text, trans]
  );
  const radius = parseRadiusArcmin(radiusText);
  const notice = capabilityNotice(
    state,
    Features.mast,
    trans.__('MAST search'),
    trans
  );
  const target =
    query.kind === 'name' || query.kind === 'coordinates' ? query : null;
  // The search this form would submit now, or null while it cannot search.
  const request: IMastSearchRequest | null =
    notice === null && target !== null && radius !== null
      ? { target, radius: radius / 60 }
      : null;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (request !== null) {
      onSearch(request);
    }
  };

  return (
    <div className="jp-JwstLab-mast">
      <form className="jp-JwstLab-form jp-JwstLab-mastForm" onSubmit={submit}>
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">{trans.__('Target')}</span>
          <input
            className="jp-JwstLab-mastQuery jp-mod-styled"
            type="text"
            aria-label={trans.__('Target name or coordinates')}
            aria-describedby={queryHintId}
            aria-invalid={query.kind === 'invalid'}
            placeholder={trans.__('NGC 3132 or 83.82 -5.39')}
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={event => setText(event.target.value)}
          />
        </label>
        <p
          id={queryHintId}
          className="jp-JwstLab-mastQueryHint"
          data-kind={query.kind}
          aria-live="polite"
        >
          {describeTargetQuery(query, trans)}
        </p>
        <div className="jp-JwstLab-formRow">
          <label className="jp-JwstLab-field jp-JwstLab-mastRadiusField">
            <span className="jp-JwstLab-fieldLabel">
              {trans.__('Radius (arcmin)')}
            </span>
            <input
              className="jp-JwstLab-mastRadius jp-mod-styled"
              type="number"
              min={0}
              max={MAX_RADIUS_ARCMIN}
              step="any"
              aria-describedby={radiusErrorId}
              aria-invalid={radius === null}
              value={radiusText}
              onChange={event => setRadiusText(event.target.value)}
            />
          </label>
          <button
            type="submit"
            className="jp-JwstLab-mastSearch jp-mod-styled jp-mod-accept"
            disabled={request === null}
          >
            {trans.__('Search')}
          </button>
        </div>
        <p
          id={radiusErrorId}
          className="jp-JwstLab-fieldError"
          aria-live="polite"
        >
          {radius === null
            ? trans.__(
                'The radius must be more than 0 and at most %1 arcmin.',
                MAX_RADIUS_ARCMIN
              )
            : ''}
        </p>
      </form>
      <CapabilityNote notice={notice} />
      <EmptyState
        message={trans.__(
          'Search the MAST archive by target name or coordinates.'
        )}
        details={[
          trans.__(
            'Matching JWST observations are listed here; pick their products to download them next to your notebooks.'
          )
        ]}
      />
    </div>
  );
}

/** A radius in arcmin from degrees, without float noise (0.05° → `3`). */
function formatArcmin(degrees: number): string {
  return String(Number((degrees * 60).toFixed(4)));
}

/** The radius typed in arcmin, or null when it is not a number in (0, MAX_RADIUS_ARCMIN]. */
function parseRadiusArcmin(text: string): number | null {
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_RADIUS_ARCMIN
  ) {
    return null;
  }
  return value;
}
