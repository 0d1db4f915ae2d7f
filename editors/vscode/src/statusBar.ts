import * as vscode from 'vscode';
import { accountOfKey } from './settings';

export type ServerState = 'starting' | 'running' | 'error';

/** "IaCM: <account>" / "IaCM: no key" / "IaCM: error", with a tooltip that says why. */
export class IacmStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('iacm.status', vscode.StatusBarAlignment.Right, 100);
  private key: string | undefined;
  private state: ServerState = 'starting';
  private error = '';

  constructor() {
    this.item.name = 'Harness IaCM';
    this.render();
    this.item.show();
  }

  setKey(key: string | undefined): void {
    this.key = key;
    this.render();
  }

  setState(state: ServerState, error = ''): void {
    this.state = state;
    this.error = error;
    this.render();
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    if (this.state === 'error') {
      item.text = '$(error) IaCM: error';
      item.tooltip = `The iacm-lsp language server is not running: ${this.error}\nClick to show the IaCM output.`;
      item.command = 'iacm.showOutput';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    const account = accountOfKey(this.key);
    if (this.key) {
      item.text = `$(cloud) IaCM: ${account ?? 'key set'}`;
      item.tooltip =
        (account ? `Harness API key for account ${account} is set` : 'A Harness API key is set (not in pat.<account>.… form)') +
        ': live workspace data in hovers, code lenses and diagnostics.' +
        (this.state === 'starting' ? '\nThe language server is starting.' : '') +
        '\nClick to replace the key.';
      item.command = 'iacm.setApiKey';
    } else {
      item.text = '$(key) IaCM: no key';
      item.tooltip =
        'No Harness API key: catalog files are still checked, but no live workspace data is shown ' +
        '(unless HARNESS_API_KEY is set for the server).\nClick to set a key (stored in VS Code\'s secret storage).';
      item.command = 'iacm.setApiKey';
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
