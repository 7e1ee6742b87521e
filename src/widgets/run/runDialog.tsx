import { Clipboard } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IJobRecord } from '../../api/models';
import { RunFormModel } from '../../run/runFormModel';
import type { RunInputKind } from '../../run/validation';
import { IJwstLabClient } from '../../tokens';
import { loadTrans } from '../../translation';
import { ModalDialog } from './modal';
import { RunForm } from './runForm';

/**
 * The run dialog: a modal over the page hosting {@link RunForm}. `open()`
 * resolves with the jobs created, or an empty list when cancelled.
 */
export class RunDialog extends ModalDialog<IJobRecord[], RunFormModel> {
  /** Create the dialog; `open()` shows it. */
  constructor(options: RunDialog.IOptions) {
    super();
    this._trans = loadTrans(options.translator);
    this.model = new RunFormModel({
      client: options.client,
      inputs: options.inputs,
      kind: options.kind,
      level: options.level,
      preferred: options.preferred,
      trans: this._trans
    });
  }

  /** The form's state. */
  readonly model: RunFormModel;

  protected cancelledResult(): IJobRecord[] {
    return [];
  }

  protected render(): JSX.Element {
    return (
      <div className="jp-Dialog-content jp-JwstLab-runDialogContent">
        <RunForm
          model={this.model}
          trans={this._trans}
          onSubmitted={jobs => this.close(jobs)}
          onCancel={() => this.close([])}
          copy={text => Clipboard.copyToSystem(text)}
        />
      </div>
    );
  }

  private readonly _trans: TranslationBundle;
}

/** The namespace for `RunDialog` statics. */
export namespace RunDialog {
  /** Options to open the run dialog. */
  export interface IOptions {
    client: IJwstLabClient;
    inputs: string[];
    kind: RunInputKind;
    level?: number;
    preferred?: string;
    translator?: ITranslator;
  }
}
