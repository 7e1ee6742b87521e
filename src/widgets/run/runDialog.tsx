import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { PromiseDelegate } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type { IJobRecord } from '../../api/models';
import { RunFormModel } from '../../run/runFormModel';
import type { RunInputKind } from '../../run/validation';
import { IJwstLabClient } from '../../tokens';
import { loadTrans } from '../../translation';
import { RunForm } from './runForm';

/**
 * The run dialog: a modal over the page hosting {@link RunForm}. `open()`
 * resolves with the jobs created, or an empty list when cancelled.
 */
export class RunDialog extends ReactWidget {
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
    this.addClass('jp-Dialog');
    this.addClass('jp-ThemedContainer');
    this.addClass('jp-JwstLab-runDialog');
    this.node.setAttribute('role', 'dialog');
    this.node.setAttribute('aria-modal', 'true');
    // Keys typed in the form are the form's, not JupyterLab shortcuts.
    this.node.setAttribute('data-lm-suppress-shortcuts', 'true');
  }

  /** The form's state. */
  readonly model: RunFormModel;

  /** Show the dialog; resolves with the created jobs (empty when cancelled). */
  open(): Promise<IJobRecord[]> {
    this._previousFocus = document.activeElement as HTMLElement | null;
    Widget.attach(this, document.body);
    return this._done.promise;
  }

  /** Close the dialog without creating anything more. */
  close(jobs: IJobRecord[] = []): void {
    if (this.isDisposed) {
      return;
    }
    this._done.resolve(jobs);
    this.dispose();
    this._previousFocus?.focus?.();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    this.model.dispose();
  }

  protected render(): JSX.Element {
    return (
      <div className="jp-Dialog-content jp-JwstLab-runDialogContent">
        <RunForm
          model={this.model}
          trans={this._trans}
          onSubmitted={jobs => this.close(jobs)}
          onCancel={() => this.close([])}
        />
      </div>
    );
  }

  private readonly _trans: TranslationBundle;
  private readonly _done = new PromiseDelegate<IJobRecord[]>();
  private _previousFocus: HTMLElement | null = null;
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
