import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import * as React from 'react';

import type { ICrdsInfo } from '../api/types';
import { CapabilityNote } from '../components/CapabilityNote';
import { EmptyState } from '../components/EmptyState';
import { StatusBadge, StatusTone } from '../components/StatusBadge';
import { crdsIcon } from '../icons';
import {
  Features,
  IJwstLabClient,
  PanelIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { JwstLabSidePanel } from './panel';
import { capabilityNotice, ServerInfoState, useServerInfo } from './serverInfo';

/**
 * The CRDS sidebar panel: how the server finds calibration reference files.
 */
export class CrdsPanel extends JwstLabSidePanel {
  /** Create the panel. */
  constructor(options: CrdsPanel.IOptions) {
    const translator = options.translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    super({
      id: PanelIds.crds,
      label: trans.__('CRDS References'),
      caption: trans.__(
        'CRDS References: calibration contexts and reference files'
      ),
      icon: crdsIcon,
      translator
    });
    this._client = options.client;
    this._jwstTrans = trans;
  }

  protected renderBody(): React.ReactElement {
    return <CrdsView client={this._client} trans={this._jwstTrans} />;
  }

  private readonly _client: IJwstLabClient;
  private readonly _jwstTrans: TranslationBundle;
}

/** The namespace for `CrdsPanel` statics. */
export namespace CrdsPanel {
  /** Options to create the CRDS panel. */
  export interface IOptions {
    client: IJwstLabClient;
    translator?: ITranslator;
  }
}

/**
 * The colour of a CRDS configuration: green when reference files can be found
 * (a cache folder, or a CRDS server), amber when neither is configured.
 */
export function crdsTone(crds: ICrdsInfo): StatusTone {
  return crds.path !== null || crds.mode !== 'serverless' ? 'ok' : 'warn';
}

interface ICrdsViewProps {
  client: IJwstLabClient;
  trans: TranslationBundle;
}

function CrdsView({ client, trans }: ICrdsViewProps): JSX.Element {
  const { state, retry } = useServerInfo(client);
  // An unreachable server is already explained by the status line.
  const notice =
    state.status === 'error'
      ? null
      : capabilityNotice(
          state,
          Features.crds,
          trans.__('the CRDS browser'),
          trans
        );
  return (
    <div className="jp-JwstLab-crds">
      <CrdsStatus state={state} retry={retry} trans={trans} />
      <CapabilityNote notice={notice} />
      <EmptyState
        message={trans.__(
          'Contexts appear here when the server provides the CRDS browser.'
        )}
        details={[
          trans.__(
            'Each context lists the reference files CRDS selects for your exposures.'
          )
        ]}
      />
    </div>
  );
}

interface ICrdsStatusProps {
  state: ServerInfoState;
  retry: () => void;
  trans: TranslationBundle;
}

function CrdsStatus({ state, retry, trans }: ICrdsStatusProps): JSX.Element {
  if (state.status === 'loading') {
    return (
      <div className="jp-JwstLab-crdsStatus" role="status" data-tone="pending">
        <StatusBadge tone="pending">
          {trans.__('Checking CRDS configuration…')}
        </StatusBadge>
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="jp-JwstLab-crdsStatus" role="status" data-tone="error">
        <StatusBadge tone="error">
          {trans.__('Cannot read the CRDS configuration: %1', state.message)}
        </StatusBadge>
        <button
          type="button"
          className="jp-JwstLab-retry jp-mod-styled"
          onClick={retry}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  const crds = state.info.crds;
  const tone = crdsTone(crds);
  return (
    <div className="jp-JwstLab-crdsStatus" role="status" data-tone={tone}>
      <StatusBadge tone={tone}>{describeMode(crds, trans)}</StatusBadge>
      <dl className="jp-JwstLab-crdsDetails">
        <dt>{trans.__('Context')}</dt>
        <dd>{describeContext(crds, trans)}</dd>
        <dt>{trans.__('Cache')}</dt>
        <dd>{crds.path ?? trans.__('no cache configured')}</dd>
        {crds.server_url !== null && (
          <>
            <dt>{trans.__('Server')}</dt>
            <dd>{crds.server_url}</dd>
          </>
        )}
      </dl>
      {tone === 'warn' && (
        <p className="jp-JwstLab-crdsFix">
          {trans.__(
            'Without a cache folder CRDS cannot find reference files: set c.JwstLabApp.crds_path or the CRDS_PATH environment variable, then restart the server.'
          )}
        </p>
      )}
    </div>
  );
}

function describeMode(crds: ICrdsInfo, trans: TranslationBundle): string {
  if (crds.mode === 'serverless') {
    return trans.__('Mode: serverless (no CRDS server, cache only)');
  }
  return trans.__('Mode: %1', crds.mode);
}

function describeContext(crds: ICrdsInfo, trans: TranslationBundle): string {
  if (crds.context === null) {
    return trans.__('operational context');
  }
  switch (crds.context_source) {
    case 'configured':
      return trans.__('%1 (pinned in the server configuration)', crds.context);
    case 'environment':
      return trans.__('%1 (from CRDS_CONTEXT)', crds.context);
    case 'operational':
      return trans.__('%1 (operational)', crds.context);
  }
}
