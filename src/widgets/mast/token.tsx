import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastTokenModel } from '../../mast/tokenModel';
import { useModel } from '../../models/useModel';

/** The MAST token: a password field sent only to the server; shows whether one is set. */
export function MastToken({
  model: tokenModel,
  trans
}: {
  model: MastTokenModel;
  trans: TranslationBundle;
}): JSX.Element {
  const model = useModel(tokenModel);
  // The token lives only in this input until it is sent: never in a model,
  // so it cannot reach any store (the one piece of state kept in a component).
  const [value, setValue] = React.useState('');
  const input = React.useRef<HTMLInputElement>(null);
  const token = { ...model.state, state: model.state.value };
  const set = model.isSet;
  const busy = token.status === 'loading';
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const text = (input.current?.value ?? value).trim();
    if (!text || model.state.status === 'loading') {
      return;
    }
    const sent = await model.set(text);
    if (sent) {
      setValue('');
    }
  };
  const status =
    token.status === 'idle' || (token.status === 'loading' && !token.state)
      ? trans.__('Checking whether a MAST token is set…')
      : set
        ? token.state?.expires
          ? trans.__(
              'A MAST token is set (expires %1).',
              String(token.state.expires)
            )
          : trans.__('A MAST token is set.')
        : trans.__(
            'No MAST token: exclusive-access data cannot be downloaded.'
          );
  const storage = token.state?.storage;
  const where =
    set && storage === 'keyring'
      ? trans.__('The server keeps it in its system keyring.')
      : set && storage === 'memory'
        ? trans.__('The server keeps it in memory until it restarts.')
        : '';
  return (
    <details className="jp-JwstLab-mastToken">
      <summary>
        {trans.__('MAST token')}{' '}
        <span className="jp-JwstLab-tokenState" data-set={set}>
          {set ? trans.__('(set)') : trans.__('(not set)')}
        </span>
      </summary>
      <form className="jp-JwstLab-form" onSubmit={submit} autoComplete="off">
        <p className="jp-JwstLab-tokenStatus" role="status">
          {status}
        </p>
        {where ? <p className="jp-JwstLab-tokenWhere">{where}</p> : null}
        <label className="jp-JwstLab-field">
          <span className="jp-JwstLab-fieldLabel">
            {trans.__('Token (kept by the server only)')}
          </span>
          <input
            ref={input}
            className="jp-JwstLab-tokenInput jp-mod-styled"
            type="password"
            name="mast-token"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={event => setValue(event.target.value)}
          />
        </label>
        {token.error ? (
          <p className="jp-JwstLab-fieldError" role="alert">
            {token.error.message}
          </p>
        ) : null}
        <div className="jp-JwstLab-buttonGroup">
          <button
            type="submit"
            className="jp-JwstLab-tokenSave jp-mod-styled jp-mod-accept"
            disabled={busy || value.trim() === ''}
          >
            {trans.__('Set token')}
          </button>
          {set ? (
            <button
              type="button"
              className="jp-JwstLab-tokenForget jp-mod-styled"
              disabled={busy}
              onClick={() => void model.forget()}
            >
              {trans.__('Forget token')}
            </button>
          ) : null}
        </div>
      </form>
    </details>
  );
}
