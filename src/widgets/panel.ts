import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { LabIcon, ReactWidget, SidePanel } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { ServerInfoModel } from '../models/serverInfo';
import { IJwstLabClient } from '../tokens';
import { loadTrans } from '../translation';

/**
 * A jwst-lab sidebar panel: an `<h2>` title in the header and a React body,
 * with what the server provides (`serverInfo`), which every panel needs.
 *
 * Subclasses give the body in `renderBody()`; the components in it follow
 * their models with `useModel`, so nothing has to ask for a new render.
 */
export abstract class JwstLabSidePanel extends SidePanel {
  /** Create the panel with its id, title and sidebar icon. */
  constructor(options: JwstLabSidePanel.IOptions) {
    super({
      content: new Panel(),
      header: new Panel(),
      translator: options.translator
    });
    const trans = loadTrans(options.translator);
    this.jwstTrans = trans;
    this.client = options.client;
    this.serverInfo = new ServerInfoModel(options.client);
    this.id = options.id;
    this.addClass('jp-JwstLab-panel');
    this.title.icon = options.icon;
    this.title.caption = options.caption(trans);

    const heading = document.createElement('h2');
    heading.className = 'jp-JwstLab-panelTitle';
    heading.textContent = options.label(trans);
    this.header.addWidget(new Widget({ node: heading }));

    this.content.addWidget(new Private.BodyWidget(() => this.renderBody()));
  }

  /** The REST client the panel's models use. */
  readonly client: IJwstLabClient;

  /** What the server provides (`GET /info`). */
  readonly serverInfo: ServerInfoModel;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.serverInfo.dispose();
    super.dispose();
  }

  /** The React element of the panel's body. */
  protected abstract renderBody(): React.ReactElement;

  /** jwst-lab's strings in the user's language. */
  protected readonly jwstTrans: TranslationBundle;
}

/** The namespace for `JwstLabSidePanel` statics. */
export namespace JwstLabSidePanel {
  /** Options shared by every jwst-lab panel. */
  export interface IOptions {
    /** Widget id; also the `data-id` of the sidebar tab. */
    id: string;
    /** Text of the panel's `<h2>`. */
    label: (trans: TranslationBundle) => string;
    /** Tooltip of the sidebar tab. */
    caption: (trans: TranslationBundle) => string;
    /** Icon of the sidebar tab. */
    icon: LabIcon;
    client: IJwstLabClient;
    translator?: ITranslator;
  }
}

namespace Private {
  /** A React widget whose element comes from a callback. */
  export class BodyWidget extends ReactWidget {
    constructor(private readonly _render: () => React.ReactElement) {
      super();
      this.addClass('jp-JwstLab-panelBody');
    }

    protected render(): React.ReactElement {
      return this._render();
    }
  }
}
