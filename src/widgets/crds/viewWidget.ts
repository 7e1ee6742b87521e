import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type * as React from 'react';

import { crdsIcon } from '../../icons';

/**
 * A main-area tab showing a CRDS view; `key` identifies it for reuse. It owns
 * the view's model: closing the tab disposes it.
 */
export class CrdsViewWidget extends MainAreaWidget<ReactWidget> {
  /** Create the tab. */
  constructor(options: CrdsViewWidget.IOptions) {
    const content = ReactWidget.create(options.element);
    content.addClass('jp-JwstLab-crdsViewContent');
    super({ content });
    this.model = options.model;
    this.addClass(options.className);
    this.id = `jwst-lab-crds-${options.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    this.key = options.key;
    this.args = options.args;
    this.title.label = options.label;
    this.title.caption = options.label;
    this.title.icon = crdsIcon;
    this.title.closable = true;
  }

  /** What this widget shows, e.g. `tree:jwst_0541.pmap`. */
  readonly key: string;

  /** The arguments of the command that opens this view again. */
  readonly args: ReadonlyJSONObject;

  /** The view's state. */
  readonly model: IDisposable;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }
}

/** The namespace for `CrdsViewWidget` statics. */
export namespace CrdsViewWidget {
  /** Options to create a CRDS tab. */
  export interface IOptions {
    /** The view, reading `model`. */
    element: React.ReactElement;
    /** The view's state, disposed with the tab. */
    model: IDisposable;
    label: string;
    key: string;
    className: string;
    /** The arguments of the command that opens this view again (after a reload). */
    args: ReadonlyJSONObject;
  }
}
