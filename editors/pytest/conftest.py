"""pytest-lsp fixtures: the real iacm-lsp binary, one session per editor preset.

Run through editors/pytest/run.sh, which builds the server, starts the fake
Harness API and exports:
  IACM_LSP_CMD      server command line (default: target/debug/iacm-lsp)
  HARNESS_BASE_URL  the fake Harness API (inherited by the server)
  HARNESS_API_KEY   its key
"""

import os
import pathlib
import shlex

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities, make_test_lsp_client

REPO = pathlib.Path(__file__).resolve().parents[2]
SERVER_CMD = shlex.split(os.environ.get("IACM_LSP_CMD", str(REPO / "target" / "debug" / "iacm-lsp")))

# Capability presets shipped with pytest-lsp 1.0.1: Neovim 0.11 ("neovim" = the
# newest), Neovim 0.7 (the oldest the plugin supports), VS Code 1.65.2, Emacs 29.1.
PRESETS = ["neovim", "neovim@v0.7.0", "visual_studio_code", "emacs"]


def make_client() -> LanguageClient:
    """pytest-lsp's test client plus the handlers it lacks in 1.0.1 (the three
    from editor-testing.md, and workspace/codeLens/refresh): a server
    that sees dynamicRegistration may send client/registerCapability, and an
    unhandled request is a client error that fails the test."""
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(ls: LanguageClient, params: types.RegistrationParams):
        return None

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister_capability(ls: LanguageClient, params: types.UnregistrationParams):
        return None

    # The server asks for fresh lenses when live data arrives, where the client
    # declared workspace.codeLens.refreshSupport (the VS Code preset does).
    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(ls: LanguageClient, params):
        ls.code_lens_refreshes = getattr(ls, "code_lens_refreshes", 0) + 1
        return None

    @client.feature(types.TELEMETRY_EVENT)
    def telemetry(ls: LanguageClient, params):
        pass

    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_CMD, client_factory=make_client),
    params=PRESETS,
)
async def client(request, lsp_client: LanguageClient):
    # Answers workspace/configuration where the preset declares it; the server
    # falls back to HARNESS_BASE_URL / HARNESS_API_KEY from the environment.
    lsp_client.set_configuration({}, section="iacm")
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=REPO.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=REPO.as_uri(), name="iacm-lsp")],
    )
    lsp_client.preset = request.param
    lsp_client.init_result = await lsp_client.initialize_session(params)
    yield
    # shutdown, then exit: the server must answer and leave with status 0.
    assert lsp_client.error is None, lsp_client.error
    await lsp_client.shutdown_session()
    assert lsp_client._server is not None and lsp_client._server.returncode == 0, (
        "server exit status after shutdown/exit: %r" % lsp_client._server.returncode
    )
