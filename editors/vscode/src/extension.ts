import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { openWorkspaceAtCursor } from './openWorkspace';
import { resolveServer } from './serverPath';
import { isCatalogDocument, serverPayload } from './settings';
import { IacmStatusBar } from './statusBar';

const KEY_SECRET = 'iacm.apiKey';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('IaCM');
  const status = new IacmStatusBar();
  context.subscriptions.push(output, status);

  let apiKey = await context.secrets.get(KEY_SECRET);
  status.setKey(apiKey);
  const payload = () => serverPayload((name) => vscode.workspace.getConfiguration('iacm').get(name), apiKey);
  const pushSettings = () => {
    if (client?.isRunning()) {
      // Never logged: it holds the key.
      void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { iacm: payload() } });
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('iacm.setApiKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'Harness API key',
        prompt: 'A Harness personal access token or service account token (pat.… or sat.…). Stored in VS Code\'s secret storage, never in settings.',
        placeHolder: 'pat.<account>.<token id>.<secret>',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Paste the key, or press Escape to cancel' : undefined),
      });
      if (key === undefined) return;
      await context.secrets.store(KEY_SECRET, key.trim());
      void vscode.window.showInformationMessage('IaCM: Harness API key saved.');
    }),
    vscode.commands.registerCommand('iacm.clearApiKey', async () => {
      await context.secrets.delete(KEY_SECRET);
      void vscode.window.showInformationMessage('IaCM: Harness API key cleared.');
    }),
    vscode.commands.registerCommand('iacm.refreshWorkspaceData', async () => {
      if (!client?.isRunning()) {
        void vscode.window.showWarningMessage('IaCM: the language server is not running.');
        return;
      }
      await client.sendRequest(ExecuteCommandRequest.type, { command: 'iacm.refresh', arguments: [] });
    }),
    vscode.commands.registerCommand('iacm.openWorkspaceAtCursor', () => openWorkspaceAtCursor(client)),
    vscode.commands.registerCommand('iacm.showOutput', () => output.show(true)),
    // The key changes here or in another window: tell the server.
    context.secrets.onDidChange(async (e) => {
      if (e.key !== KEY_SECRET) return;
      apiKey = await context.secrets.get(KEY_SECRET);
      status.setKey(apiKey);
      pushSettings();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('iacm.server.path')) {
        void vscode.window.showInformationMessage('IaCM: reload the window to use the new iacm.server.path.');
      }
      if (e.affectsConfiguration('iacm')) pushSettings();
    }),
  );

  // Start the server only once a catalog file is open, so a folder of other YAML
  // (workflows, Helm charts…) never spawns it.
  const isCatalog = (doc: vscode.TextDocument) =>
    doc.languageId === 'yaml' && isCatalogDocument(doc.fileName, doc.getText(new vscode.Range(0, 0, 30, 0)));
  let started = false;
  const startOnce = () => {
    if (started) return;
    started = true;
    void startClient(context, output, status, payload);
  };
  if (vscode.workspace.textDocuments.some(isCatalog)) {
    startOnce();
  } else {
    const listener = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isCatalog(doc)) {
        listener.dispose();
        startOnce();
      }
    });
    context.subscriptions.push(listener);
  }
}

async function startClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  status: IacmStatusBar,
  payload: () => Record<string, unknown>,
): Promise<void> {
  let command: string;
  try {
    const server = resolveServer(vscode.workspace.getConfiguration('iacm').get<string>('server.path'), context.extensionPath);
    command = server.command;
    output.appendLine(`Starting ${command} (from ${server.origin})`);
  } catch (err) {
    return failed(output, status, (err as Error).message);
  }

  // No `transport`: stdio is the default, and TransportKind.stdio would append `--stdio`,
  // which iacm-lsp rejects. No args: `iacm-lsp` alone speaks LSP over stdio.
  const serverOptions: ServerOptions = { run: { command }, debug: { command } };
  const clientOptions: LanguageClientOptions = {
    // Every YAML document once started: the server itself decides what a catalog file is
    // (the name, or an `apiVersion: backstage.io/…` line, also after edits) and stays quiet
    // on the rest. The catalog patterns are listed first for clarity.
    documentSelector: [
      { language: 'yaml', pattern: '**/catalog-info.{yaml,yml}' },
      { language: 'yaml', pattern: '**/*.catalog-info.{yaml,yml}' },
      { language: 'yaml', scheme: 'file' },
      { language: 'yaml', scheme: 'untitled' },
    ],
    outputChannel: output,
    initializationOptions: () => ({ iacm: payload() }),
    middleware: {
      workspace: {
        // The server pulls section `iacm`: answer with the settings and the key.
        configuration: (params, token, next) => {
          if (params.items.every((item) => item.section !== 'iacm')) return next(params, token);
          return params.items.map((item) => (item.section === 'iacm' ? payload() : null));
        },
      },
    },
  };

  client = new LanguageClient('iacm', 'IaCM', serverOptions, clientOptions);
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) status.setState('running');
      else if (e.newState === State.Stopped) status.setState('error', 'it stopped (see the IaCM output).');
    }),
  );
  try {
    await client.start();
    status.setState('running');
  } catch (err) {
    failed(output, status, `it failed to start: ${(err as Error).message ?? err}`);
  }
}

function failed(output: vscode.OutputChannel, status: IacmStatusBar, message: string): void {
  output.appendLine(`Error: ${message}`);
  status.setState('error', message);
  void vscode.window.showErrorMessage(`IaCM: ${message}`, 'Open Settings', 'Show Output').then((choice) => {
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'iacm.server.path');
    if (choice === 'Show Output') output.show(true);
  });
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
