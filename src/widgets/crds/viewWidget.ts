import { ReadonlyJSONObject } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type * as React from 'react';

import { crdsIcon } from '../../icons';
import { ModelTab } from '../modelTab';

/**
 * A main-area tab showing a CRDS view; `key` identifies it for reuse. It owns
 * the view's model: closing the tab disposes it.
 */
export class CrdsViewWidget extends ModelTab<IDisposable> {
  /** Create the tab. */
  constructor(options: CrdsViewWidget.IOptions) {
    super({
      model: options.model,
      element: options.element,
      contentClass: 'jp-JwstLab-crdsViewContent',
      label: options.label,
      icon: crdsIcon
    });
    this.addClass(options.className);
    this.id = `jwst-lab-crds-${options.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    this.key = options.key;
    this.args = options.args;
    this.title.caption = options.label;
  }

  /** What this widget shows, e.g. `tree:jwst_0541.pmap`. */
  readonly key: string;

  /** The arguments of the command that opens this view again. */
  readonly args: ReadonlyJSONObject;
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
