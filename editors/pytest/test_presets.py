"""iacm-lsp against pytest-lsp's real-editor capability presets.

Each test runs once per preset (conftest.PRESETS). pytest-lsp checks every
response against the protocol and against what that client declared
(snippets, document link tooltips, workspace/configuration...); pytest.ini
turns each LspSpecificationWarning into an error.
"""

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import REPO

MISTAKES = REPO / "examples" / "mistakes" / "catalog-info.yaml"
LIVE = REPO / "examples" / "live" / "catalog-info.yaml"

# What the server must pick: utf-8 when offered, else utf-16 (the default).
EXPECTED_ENCODING = {
    "neovim": "utf-8",  # 0.11 offers utf-8, utf-16, utf-32
    "neovim@v0.7.0": "utf-16",  # offers nothing
    "visual_studio_code": "utf-16",  # 1.65 offers nothing
    "emacs": "utf-8",  # 29.1 offers utf-32, utf-8, utf-16
}


def open_doc(client: LanguageClient, path, text=None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=path.read_text() if text is None else text
            )
        )
    )
    return uri


async def wait_for_diagnostics(client: LanguageClient, uri: str, timeout: float = 15.0):
    async def _wait():
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]

    return await asyncio.wait_for(_wait(), timeout)


def line_of(path, needle: str) -> tuple[int, str]:
    for n, line in enumerate(path.read_text().splitlines()):
        if needle in line:
            return n, line
    raise AssertionError(f"{needle!r} not in {path}")


def text_of(contents) -> tuple[str, str]:
    assert isinstance(contents, types.MarkupContent), contents
    return contents.kind, contents.value


async def test_initialize(client: LanguageClient):
    result = client.init_result
    caps = result.capabilities
    offered = client.capabilities.general and client.capabilities.general.position_encodings
    expected = EXPECTED_ENCODING[client.preset]
    assert caps.position_encoding == expected
    # Whatever is negotiated must be one the client can use: offered, or utf-16 (always allowed).
    assert caps.position_encoding in (list(offered or []) + ["utf-16"])
    assert result.server_info.name == "iacm-lsp"
    assert caps.hover_provider and caps.code_lens_provider and caps.document_link_provider
    assert caps.completion_provider and caps.code_action_provider
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental


async def test_diagnostics(client: LanguageClient):
    uri = open_doc(client, MISTAKES)
    diags = await wait_for_diagnostics(client, uri)
    assert all(d.source == "iacm" for d in diags), [d.source for d in diags]
    codes = {d.code for d in diags}
    for code in [
        "workspace-url-missing-resources",
        "workspace-url-insecure",
        "workspace-url-query",
        "workspace-url-identifier",
        "workspace-url-bad-line",
        "workspace-url-unlabeled",
    ]:
        assert code in codes, sorted(codes)
    # ASCII line: the same columns in every encoding.
    line, text = line_of(MISTAKES, "no-resources: https")
    d = next(d for d in diags if d.code == "workspace-url-missing-resources" and d.range.start.line == line)
    assert d.range.start.character == text.index("prod_ws")
    assert d.range.end.character == len(text)
    assert d.severity == types.DiagnosticSeverity.Error


async def test_code_action_quick_fix(client: LanguageClient):
    uri = open_doc(client, MISTAKES)
    diags = await wait_for_diagnostics(client, uri)
    line, text = line_of(MISTAKES, "no-resources: https")
    d = next(d for d in diags if d.code == "workspace-url-missing-resources" and d.range.start.line == line)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert actions, actions
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and a.title == "Add /resources")
    assert fix.kind == types.CodeActionKind.QuickFix
    if fix.edit is None:
        fix = await client.code_action_resolve_async(fix)
    edits = fix.edit.changes[uri] if fix.edit.changes else [
        e for dc in fix.edit.document_changes for e in dc.edits
    ]
    assert [(e.range.start.line, e.range.start.character, e.new_text) for e in edits] == [
        (line, len(text), "/resources")
    ]


async def test_completion_in_url_segment(client: LanguageClient):
    uri = open_doc(client, LIVE)
    line, text = line_of(LIVE, "prod: https")
    col = text.index("/orgs/") + len("/orgs/")

    async def complete():
        return await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=col),
            )
        )

    result = await complete()
    for _ in range(20):  # a cold list is answered incomplete; the editor asks again
        if isinstance(result, types.CompletionList) and result.items and not result.is_incomplete:
            break
        await asyncio.sleep(0.25)
        result = await complete()
    items = result.items if isinstance(result, types.CompletionList) else result
    labels = [i.label for i in items]
    assert "default" in labels, labels
    snippets = bool(
        client.capabilities.text_document.completion.completion_item
        and client.capabilities.text_document.completion.completion_item.snippet_support
    )
    for item in items:
        if not snippets:
            assert item.insert_text_format != types.InsertTextFormat.Snippet, item
        edit = item.text_edit
        assert edit is not None, item
        rng = edit.range if isinstance(edit, types.TextEdit) else edit.replace
        assert rng.start.line == line and rng.start.character == col, item


async def test_completion_key_snippet(client: LanguageClient):
    """The annotation key completes as a snippet only for clients that support snippets,
    with markdown documentation only for clients that declared it (checked by pytest-lsp)."""
    ci = client.capabilities.text_document.completion.completion_item
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n"
        "  annotations:\n    \n"
    )
    path = REPO / "examples" / "new.catalog-info.yaml"  # never written: the text is in didOpen
    uri = open_doc(client, path, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=5, character=4),
        )
    )
    items = result.items if isinstance(result, types.CompletionList) else result
    key = next(i for i in items if i.label == "harness.io/workspace-url")
    edit_text = key.text_edit.new_text if key.text_edit else key.insert_text
    if ci and ci.snippet_support:
        assert key.insert_text_format == types.InsertTextFormat.Snippet, key
        assert "${" in edit_text or "$0" in edit_text or "$1" in edit_text, edit_text
    else:
        assert key.insert_text_format != types.InsertTextFormat.Snippet, key
        assert "${" not in edit_text, edit_text
    assert "https://app.harness.io/ng/account/" in edit_text, edit_text


async def test_hover_live_counts(client: LanguageClient):
    uri = open_doc(client, LIVE)
    line, text = line_of(LIVE, "prod: https")
    pos = types.Position(line=line, character=text.index("workspaces/"))
    value = ""
    for _ in range(20):  # a cold cache answers "loading" after 1.5 s
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
        )
        assert hover is not None
        kind, value = text_of(hover.contents)
        assert kind == types.MarkupKind.Markdown
        if "Resources (17)" in value:
            break
        await asyncio.sleep(0.25)
    assert "Resources (17)" in value, value
    assert "prod_ws" in value, value


async def test_code_lens(client: LanguageClient):
    uri = open_doc(client, LIVE)
    line, _ = line_of(LIVE, "prod: https")
    titles = []
    for _ in range(20):
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        titles = [(l.range.start.line, l.command.title, l.command.command) for l in lenses or [] if l.command]
        if any(t[0] == line and "17 resources" in t[1] for t in titles):
            break
        await asyncio.sleep(0.25)
    assert any(t[0] == line and t[1].startswith("IaCM: 17 resources") for t in titles), titles
    commands = client.init_result.capabilities.execute_command_provider.commands
    assert all(t[2] in commands for t in titles), titles


async def test_document_links(client: LanguageClient):
    """Links to the canonical page; a tooltip only where the client supports one."""
    ci = client.capabilities.text_document.document_link
    uri = open_doc(client, LIVE)
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert links and len(links) == 5, links
    line, text = line_of(LIVE, "prod: https")
    prod = next(l for l in links if l.range.start.line == line)
    assert prod.target.startswith("https://app.harness.io/ng/account/abc123/module/iacm/"), prod
    assert prod.range.start.character == text.index("https")
    if not (ci and ci.tooltip_support):
        assert prod.tooltip is None, prod
