import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';

const OPEN_WORKSPACE = 'iacm.openWorkspace';

function onLine(range: { start: { line: number }; end: { line: number } }, line: number): boolean {
  return range.start.line <= line && range.end.line >= line;
}

/** The workspace URL on the cursor's line: from the server's code lenses, else its document links. */
async function urlAtCursor(client: LanguageClient, editor: vscode.TextEditor): Promise<string | undefined> {
  const line = editor.selection.active.line;
  const textDocument = { uri: client.code2ProtocolConverter.asUri(editor.document.uri) };
  const lenses = (await client.sendRequest('textDocument/codeLens', { textDocument })) as
    | { range: { start: { line: number }; end: { line: number } }; command?: { command: string; arguments?: unknown[] } }[]
    | null;
  for (const lens of lenses ?? []) {
    const arg = lens.command?.arguments?.[0];
    if (lens.command?.command === OPEN_WORKSPACE && typeof arg === 'string' && onLine(lens.range, line)) return arg;
  }
  const links = (await client.sendRequest('textDocument/documentLink', { textDocument })) as
    | { range: { start: { line: number }; end: { line: number } }; target?: string }[]
    | null;
  return links?.find((l) => l.target && onLine(l.range, line))?.target;
}

/** "IaCM: Open Workspace in Harness": runs the server's code lens command for the URL on the cursor's line. */
export async function openWorkspaceAtCursor(client: LanguageClient | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage('IaCM: the language server is not running.');
    return;
  }
  if (!editor) {
    void vscode.window.showWarningMessage('IaCM: open a catalog file and put the cursor on a workspace URL.');
    return;
  }
  const url = await urlAtCursor(client, editor);
  if (!url) {
    void vscode.window.showWarningMessage('IaCM: no Harness workspace URL on this line.');
    return;
  }
  await client.sendRequest(ExecuteCommandRequest.type, { command: OPEN_WORKSPACE, arguments: [url] });
}
